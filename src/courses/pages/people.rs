//! Student and teacher pages: progress (`/progress`, `/users/{id}/progress`), the teacher
//! dashboard (`/teach`), profile details and interests (inside `/profile`), and the
//! administrators' interest catalogue and account requests.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::certificates::certificate_list;
use super::{date_range, lecture_counts, percent, status_label};
use crate::auth::AdminNav;
use crate::courses::api::{
    AddInterest, ApproveAccountRequest, RejectAccountRequest, SetInterestActive, SetInterests,
    UpdateProfile,
};
use crate::courses::model::LectureSummary;
use crate::i18n::{fill, format_datetime, use_i18n};
use crate::t;
use crate::ui::style::{BUTTON, BUTTON_DANGER, BUTTON_QUIET, CARD, LINK};
use crate::ui::{FieldMessage, FormError, TextField, last_error, last_saved, refusal};

/// `/progress` (one's own) and `/users/{id}/progress` (a student, for their teachers).
#[component]
pub fn ProgressPage() -> impl IntoView {
    let i18n = use_i18n();
    let user_id = move || use_params_map().read().get("id").unwrap_or_default();
    let progress = Resource::new(user_id, crate::courses::api::get_progress);
    view! {
        <Title text=i18n.t().progress_title />
        <h1 class="text-2xl font-bold">{t!(i18n, progress_title)}</h1>
        <Suspense fallback=|| ()>
            {move || progress.get().map(|result| match result {
                Err(error) => refusal(&error, "/progress"),
                Ok(progress) => {
                    let attended: i64 = progress.classes.iter().map(|c| c.attended).sum();
                    let counted: i64 = progress.classes.iter().map(|c| c.counted).sum();
                    view! {
                        <p class="mt-1 text-slate-700" data-testid="progress-student">{progress.student.name()}</p>
                        <div class="mt-4 grid gap-3 sm:grid-cols-3">
                            <div class=CARD>
                                <p class="text-sm text-slate-600">{t!(i18n, progress_lectures_attended)}</p>
                                <p class="text-2xl font-bold" data-testid="progress-attended">{attended}</p>
                            </div>
                            <div class=CARD>
                                <p class="text-sm text-slate-600">{t!(i18n, attendance_rate)}</p>
                                <p class="text-2xl font-bold" data-testid="progress-rate">{percent(crate::courses::model::rate(attended, counted))}</p>
                            </div>
                            <div class=CARD>
                                <p class="text-sm text-slate-600">{t!(i18n, certificates_title)}</p>
                                <p class="text-2xl font-bold">{progress.certifications.len()}</p>
                            </div>
                        </div>
                        {progress.classes.into_iter().map(|class| view! {
                            <section class="mt-8">
                                <h2 class="text-lg font-semibold">
                                    <a href=format!("/classes/{}", class.class.id) class=LINK>{class.class.title.clone()}</a>
                                    " " <span class="text-sm font-normal text-slate-600">{percent(class.rate())}</span>
                                </h2>
                                <p class="text-sm text-slate-600">{date_range(class.class.begins_on, class.class.ends_on)}</p>
                                <ol class="mt-2 divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white text-sm">
                                    {class.lectures.into_iter().map(lecture_line).collect_view()}
                                </ol>
                            </section>
                        }).collect_view()}
                        <section class="mt-8">
                            <h2 class="text-lg font-semibold">{t!(i18n, certificates_title)}</h2>
                            {certificate_list(progress.certifications)}
                        </section>
                        <crate::helpdesk::pages::HelpHistory student_id=Some(user_id()).filter(|id| !id.is_empty()) />
                    }
                    .into_any()
                }
            })}
        </Suspense>
    }
}

fn lecture_line(lecture: LectureSummary) -> impl IntoView {
    let i18n = use_i18n();
    let starts = lecture.starts_at;
    let mine = lecture.my_status;
    view! {
        <li class="flex justify-between gap-2 px-3 py-2">
            <span>{format!("{}. {}", lecture.sequence, lecture.title)} " "
                <span class="text-slate-500">{move || format_datetime(i18n.locale(), &starts)}</span>
            </span>
            <span>{move || mine.map_or(i18n.t().attendance_unmarked, |s| status_label(i18n, s))}</span>
        </li>
    }
}

/// `/teach`: an instructor's classes, students, today's lectures with attendance so
/// far, and the coming week.
#[component]
pub fn TeacherDashboardPage() -> impl IntoView {
    let i18n = use_i18n();
    let dashboard = Resource::new(|| (), |_| crate::courses::api::get_teacher_dashboard());
    let lecture_row = move |lecture: LectureSummary| {
        let starts = lecture.starts_at;
        let counts = lecture_counts(i18n, &lecture);
        view! {
            <li class="flex flex-wrap justify-between gap-2 px-3 py-2">
                <a href=format!("/lectures/{}", lecture.id) class=LINK>{lecture.title.clone()}</a>
                <span class="text-sm text-slate-600">{move || format_datetime(i18n.locale(), &starts)} " · " {counts}</span>
            </li>
        }
    };
    view! {
        <Title text=i18n.t().teach_title />
        <h1 class="text-2xl font-bold">{t!(i18n, teach_title)}</h1>
        <Suspense fallback=|| ()>
            {move || dashboard.get().map(|result| match result {
                Err(error) => refusal(&error, "/teach"),
                Ok(data) => view! {
                    <div class="mt-4 grid gap-3 sm:grid-cols-3">
                        <div class=CARD>
                            <p class="text-sm text-slate-600">{t!(i18n, classes_title)}</p>
                            <p class="text-2xl font-bold">{data.classes.iter().filter(|c| !c.archived).count()}</p>
                        </div>
                        <div class=CARD>
                            <p class="text-sm text-slate-600">{t!(i18n, teach_students)}</p>
                            <p class="text-2xl font-bold" data-testid="teach-students">{data.students}</p>
                        </div>
                        <div class=CARD>
                            <p class="text-sm text-slate-600">{t!(i18n, join_requests)}</p>
                            <p class="text-2xl font-bold">{data.pending_joins}</p>
                        </div>
                    </div>
                    <crate::helpdesk::pages::OpenHelpList />
                    <section class="mt-8">
                        <h2 class="text-lg font-semibold">{t!(i18n, teach_today)}</h2>
                        {data.today.is_empty().then(|| view! { <p class="mt-2 text-slate-600">{t!(i18n, lectures_none)}</p> })}
                        <ul class="mt-2 divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white">
                            {data.today.into_iter().map(lecture_row).collect_view()}
                        </ul>
                    </section>
                    <section class="mt-8">
                        <h2 class="text-lg font-semibold">{t!(i18n, teach_upcoming)}</h2>
                        {data.upcoming.is_empty().then(|| view! { <p class="mt-2 text-slate-600">{t!(i18n, lectures_none)}</p> })}
                        <ul class="mt-2 divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white">
                            {data.upcoming.into_iter().map(lecture_row).collect_view()}
                        </ul>
                    </section>
                    <section class="mt-8">
                        <h2 class="text-lg font-semibold">{t!(i18n, classes_teaching)}</h2>
                        <ul class="mt-2 divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white">
                            {data.classes.into_iter().map(|class| view! {
                                <li class="flex flex-wrap justify-between gap-2 px-3 py-2">
                                    <a href=format!("/classes/{}", class.id) class=LINK>{class.title.clone()}</a>
                                    <span class="text-sm text-slate-600">{move || fill(i18n.t().students_count, &[("n", &class.students.to_string())])}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                        <p class="mt-3 text-sm"><a href="/courses" class=LINK>{t!(i18n, courses_title)}</a></p>
                    </section>
                }.into_any(),
            })}
        </Suspense>
    }
}

/// Inside `/profile`: name (and a student's grade) and interests.
#[component]
pub fn ProfileDetails(first_name: String, last_name: String, student: bool) -> impl IntoView {
    let i18n = use_i18n();
    let update = ServerAction::<UpdateProfile>::new();
    let choose = ServerAction::<SetInterests>::new();
    let update_error = last_error(update);
    let choose_error = last_error(choose);
    let grade = Resource::new(|| (), |_| crate::courses::api::my_grade_level());
    let interests = Resource::new(|| (), |_| crate::courses::api::my_interests());
    view! {
        <section aria-labelledby="details-heading" class="mt-8 max-w-xl">
            <h2 id="details-heading" class="text-lg font-semibold">{t!(i18n, profile_details)}</h2>
            <ActionForm action=update attr:class="mt-3 space-y-3" attr:novalidate=true>
                <div class="grid gap-3 sm:grid-cols-2">
                    <TextField name="first_name" kind="text" label=t!(i18n, field_first_name) autocomplete="given-name" value=first_name error=update_error />
                    <TextField name="last_name" kind="text" label=t!(i18n, field_last_name) autocomplete="family-name" value=last_name error=update_error />
                </div>
                {student.then(|| view! {
                    <Suspense fallback=|| ()>
                        {move || grade.get().map(|g| {
                            let value = g.ok().flatten().map(|g| g.to_string()).unwrap_or_default();
                            view! { <TextField name="grade_level" kind="number" label=t!(i18n, field_grade_level) autocomplete="off" value=value error=update_error /> }
                        })}
                    </Suspense>
                })}
                <FormError error=update_error />
                <p role="status" class="text-sm text-green-800">{move || last_saved(update).get().then(|| i18n.t().saved)}</p>
                <button type="submit" class=BUTTON>{t!(i18n, save)}</button>
            </ActionForm>
        </section>
        {student.then(|| view! {
            <section aria-labelledby="interests-heading" class="mt-8 max-w-xl">
                <h2 id="interests-heading" class="text-lg font-semibold">{t!(i18n, interests_title)}</h2>
                <p class="text-sm text-slate-600">{t!(i18n, interests_lead)}</p>
                <Suspense fallback=|| ()>
                    {move || interests.get().map(|result| match result {
                        Err(error) => refusal(&error, "/profile"),
                        Ok(choices) => view! {
                            <ActionForm action=choose attr:class="mt-3">
                                <fieldset class="grid gap-2 sm:grid-cols-2" aria-describedby="field-interests-error">
                                    <legend class="sr-only">{t!(i18n, interests_title)}</legend>
                                    {choices.is_empty().then(|| view! { <p class="text-slate-600">{t!(i18n, interests_empty)}</p> })}
                                    {choices.into_iter().map(|choice| view! {
                                        <label class="flex items-center gap-2">
                                            <input type="checkbox" name=format!("interests[{}]", crate::courses::model::form_key(&choice.interest.id)) value="on" checked=choice.chosen />
                                            {choice.interest.name.clone()}
                                        </label>
                                    }).collect_view()}
                                </fieldset>
                                <FieldMessage field="interests" error=choose_error />
                                <p role="status" class="text-sm text-green-800">{move || last_saved(choose).get().then(|| i18n.t().saved)}</p>
                                <button type="submit" class=format!("mt-3 {BUTTON}")>{t!(i18n, save)}</button>
                            </ActionForm>
                        }.into_any(),
                    })}
                </Suspense>
            </section>
        })}
    }
}

/// `/admin/interests`: the catalogue students choose their interests from.
#[component]
pub fn AdminInterestsPage() -> impl IntoView {
    let i18n = use_i18n();
    let add = ServerAction::<AddInterest>::new();
    let toggle = ServerAction::<SetInterestActive>::new();
    let error = last_error(add);
    let list = Resource::new(
        move || (add.version().get(), toggle.version().get()),
        |_| crate::courses::api::all_interests(),
    );
    view! {
        <Title text=i18n.t().interests_title />
        <AdminNav />
        <h1 class="text-2xl font-bold">{t!(i18n, interests_title)}</h1>
        <Suspense fallback=|| ()>
            {move || list.get().map(|result| match result {
                Err(error) => refusal(&error, "/admin/interests"),
                Ok(interests) => view! {
                    <ul class="mt-4 max-w-xl divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white">
                        {interests.into_iter().map(|interest| {
                            let active = interest.active;
                            view! {
                                <li class="flex items-center justify-between gap-2 px-3 py-2">
                                    <span class=if active { "" } else { "text-slate-400 line-through" }>{interest.name.clone()}</span>
                                    <ActionForm action=toggle>
                                        <input type="hidden" name="id" value=interest.id.clone() />
                                        <input type="hidden" name="active" value=(!active).to_string() />
                                        <button type="submit" class=if active { BUTTON_DANGER } else { BUTTON_QUIET }>
                                            {move || if active { i18n.t().interest_retire } else { i18n.t().interest_restore }}
                                        </button>
                                    </ActionForm>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            })}
        </Suspense>
        <ActionForm action=add attr:class="mt-6 flex max-w-xl flex-wrap items-end gap-3" attr:novalidate=true>
            <div class="grow"><TextField name="name" kind="text" label=t!(i18n, interest_new) autocomplete="off" error=error /></div>
            <button type="submit" class=BUTTON>{t!(i18n, interest_add)}</button>
        </ActionForm>
    }
}

/// `/admin/account-requests`: instructors' requests for student accounts.
#[component]
pub fn AccountRequestsPage() -> impl IntoView {
    let i18n = use_i18n();
    let approve = ServerAction::<ApproveAccountRequest>::new();
    let reject = ServerAction::<RejectAccountRequest>::new();
    let approve_error = last_error(approve);
    let list = Resource::new(
        move || (approve.version().get(), reject.version().get()),
        |_| crate::courses::api::account_requests(),
    );
    view! {
        <Title text=i18n.t().account_requests_title />
        <AdminNav />
        <h1 class="text-2xl font-bold">{t!(i18n, account_requests_title)}</h1>
        <p class="mt-1 text-sm text-slate-700">{t!(i18n, account_requests_lead)}</p>
        <FieldMessage field="email" error=approve_error />
        <FormError error=approve_error />
        <Suspense fallback=|| ()>
            {move || list.get().map(|result| match result {
                Err(error) => refusal(&error, "/admin/account-requests"),
                Ok(requests) => view! {
                    {requests.is_empty().then(|| view! { <p class="mt-4 text-slate-600">{t!(i18n, account_requests_none)}</p> })}
                    <ul class="mt-4 divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white" data-testid="account-requests">
                        {requests.into_iter().map(|request| {
                            let created = request.created_at;
                            let request_id = StoredValue::new(request.id.clone());
                            view! {
                                <li class="flex flex-wrap items-center justify-between gap-2 px-3 py-2">
                                    <span>
                                        {format!("{} {}", request.first_name, request.last_name)} " "
                                        <span class="text-sm text-slate-600">{request.email.clone()}</span>
                                        <span class="block text-xs text-slate-500">
                                            {request.class_title.clone()} " · " {request.requested_by.clone()} " · "
                                            {move || format_datetime(i18n.locale(), &created)}
                                        </span>
                                    </span>
                                    <span class="flex gap-2">
                                        <ActionForm action=approve>
                                            <input type="hidden" name="id" value=request_id.get_value() />
                                            <button type="submit" class=BUTTON_QUIET>{t!(i18n, approve)}</button>
                                        </ActionForm>
                                        <ActionForm action=reject>
                                            <input type="hidden" name="id" value=request_id.get_value() />
                                            <button type="submit" class=BUTTON_DANGER>{t!(i18n, reject)}</button>
                                        </ActionForm>
                                    </span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            })}
        </Suspense>
    }
}
