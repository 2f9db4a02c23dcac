//! `/classes` (my classes, join by code) and `/classes/{id}` (the class: for its staff
//! the join code, ingest token, roster, join requests, lectures and settings; for its
//! students their lectures and attendance).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::courses::ClassFields;
use super::{date_range, lecture_counts, percent, route_id, status_label};
use crate::courses::api::{
    AddClassInstructor, AddStudent, ApproveJoin, ArchiveClass, CopyClass, CreateLecture, JoinClass,
    RegenerateJoinCode, RemoveStudent, RequestAccounts, RotateIngestToken, UpdateClass,
};
use crate::courses::model::{
    ClassPage as ClassData, ClassRole, ClassSummary, JoinOutcome, LectureSummary,
};
use crate::i18n::{fill, format_datetime, use_i18n};
use crate::t;
use crate::ui::style::{BUTTON, BUTTON_DANGER, BUTTON_QUIET, CARD, INPUT, LINK, SELECT};
use crate::ui::{FieldMessage, FormError, TextField, last_error, last_saved, refusal};

/// A grid of class cards.
fn class_cards(classes: Vec<ClassSummary>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="mt-3 grid gap-3 sm:grid-cols-2">
            {classes.into_iter().map(|class| view! {
                <li class=CARD>
                    <a href=format!("/classes/{}", class.id) class="font-semibold text-indigo-700 underline">{class.title.clone()}</a>
                    {class.archived.then(|| view! { <span class="ml-2 rounded bg-slate-200 px-2 text-xs">{t!(i18n, archived)}</span> })}
                    <p class="text-sm text-slate-600">{class.course_title.clone()} " · " {class.subject.clone()}</p>
                    <p class="text-sm text-slate-600">{date_range(class.begins_on, class.ends_on)}</p>
                </li>
            }).collect_view()}
        </ul>
    }
}

/// `/classes`: the classes one teaches or attends, and joining one by code.
#[component]
pub fn MyClassesPage() -> impl IntoView {
    let i18n = use_i18n();
    let join = ServerAction::<JoinClass>::new();
    let error = last_error(join);
    let classes = Resource::new(|| (), |_| crate::courses::api::get_my_classes());
    let joined = move || {
        use_query_map()
            .read()
            .get("joined")
            .and_then(|o| JoinOutcome::parse(&o))
    };
    let outcome = move || match joined()? {
        JoinOutcome::Joined => Some(i18n.t().join_done),
        JoinOutcome::AwaitingApproval => Some(i18n.t().join_waiting),
        JoinOutcome::AlreadyMember => Some(i18n.t().join_already),
    };
    view! {
        <Title text=i18n.t().my_classes_title />
        <h1 class="text-2xl font-bold">{t!(i18n, my_classes_title)}</h1>
        <Suspense fallback=|| ()>
            {move || classes.get().map(|result| match result {
                Err(error) => refusal(&error, "/classes"),
                Ok(mine) => view! {
                    {(!mine.teaching.is_empty()).then(|| view! {
                        <section aria-labelledby="teaching" class="mt-6">
                            <h2 id="teaching" class="text-lg font-semibold">{t!(i18n, classes_teaching)}</h2>
                            {class_cards(mine.teaching.clone())}
                        </section>
                    })}
                    <section aria-labelledby="attending" class="mt-6">
                        <h2 id="attending" class="text-lg font-semibold">{t!(i18n, classes_attending)}</h2>
                        {mine.attending.is_empty().then(|| view! { <p class="mt-2 text-slate-600">{t!(i18n, classes_none)}</p> })}
                        {class_cards(mine.attending.clone())}
                        {(!mine.waiting.is_empty()).then(|| view! {
                            <h3 class="mt-4 font-medium">{t!(i18n, classes_waiting)}</h3>
                            {class_cards(mine.waiting.clone())}
                        })}
                    </section>
                }.into_any(),
            })}
        </Suspense>
        <section aria-labelledby="join" class="mt-10 max-w-md">
            <h2 id="join" class="text-lg font-semibold">{t!(i18n, join_title)}</h2>
            <p class="mt-1 text-sm text-slate-700">{t!(i18n, join_lead)}</p>
            <ActionForm action=join attr:class="mt-4 space-y-3" attr:novalidate=true>
                <TextField name="code" kind="text" label=t!(i18n, join_code) autocomplete="off" error=error />
                <FormError error=error />
                <p role="status" class="text-sm text-green-800" data-testid="join-outcome">{outcome}</p>
                <button type="submit" class=BUTTON>{t!(i18n, join_button)}</button>
            </ActionForm>
            <p class="mt-4 text-sm"><a href="/checkin" class=LINK>{t!(i18n, check_in_title)}</a></p>
        </section>
    }
}

/// The actions of the class page, created once so every form refreshes the data.
#[derive(Clone, Copy)]
struct ClassActions {
    update: ServerAction<UpdateClass>,
    archive: ServerAction<ArchiveClass>,
    regenerate: ServerAction<RegenerateJoinCode>,
    rotate: ServerAction<RotateIngestToken>,
    add_instructor: ServerAction<AddClassInstructor>,
    add_student: ServerAction<AddStudent>,
    remove: ServerAction<RemoveStudent>,
    approve: ServerAction<ApproveJoin>,
    copy: ServerAction<CopyClass>,
    lecture: ServerAction<CreateLecture>,
    request: ServerAction<RequestAccounts>,
}

impl ClassActions {
    fn new() -> ClassActions {
        ClassActions {
            update: ServerAction::new(),
            archive: ServerAction::new(),
            regenerate: ServerAction::new(),
            rotate: ServerAction::new(),
            add_instructor: ServerAction::new(),
            add_student: ServerAction::new(),
            remove: ServerAction::new(),
            approve: ServerAction::new(),
            copy: ServerAction::new(),
            lecture: ServerAction::new(),
            request: ServerAction::new(),
        }
    }
}

/// `/classes/{id}` and `/classes/{id}/lectures`.
#[component]
pub fn ClassPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = route_id();
    let actions = ClassActions::new();
    let page = Resource::new(id, crate::courses::api::get_class);
    view! {
        <Title text=i18n.t().class_title />
        <Suspense fallback=|| ()>
            {move || page.get().map(|result| match result {
                Err(error) => refusal(&error, &format!("/classes/{}", id())),
                Ok(data) => class_view(data, actions).into_any(),
            })}
        </Suspense>
    }
}

fn class_view(data: ClassData, actions: ClassActions) -> impl IntoView {
    let i18n = use_i18n();
    let class = data.class.clone();
    let staff = data.role == ClassRole::Staff;
    let instructors = data
        .instructors
        .iter()
        .map(|p| p.name())
        .collect::<Vec<_>>()
        .join(", ");
    let rate = percent(data.attendance_rate);
    let panel = staff.then(|| staff_panel(&data, actions));
    let lectures = lectures_section(&data, actions);
    let settings = staff.then(|| settings_section(&data, actions));
    view! {
        <nav class="text-sm">
            {if staff {
                view! { <a href=format!("/courses/{}", class.course_id) class=LINK>{class.course_title.clone()}</a> }.into_any()
            } else {
                view! { <a href="/classes" class=LINK>{t!(i18n, my_classes_title)}</a> }.into_any()
            }}
        </nav>
        <h1 class="mt-2 text-2xl font-bold" data-testid="class-title">{class.title.clone()}</h1>
        {class.archived.then(|| view! { <p class="mt-1 text-sm font-medium text-amber-800">{t!(i18n, class_archived_note)}</p> })}
        {staff.then(|| view! {
            <p class="mt-2"><a href=format!("/classes/{}/live", class.id) class=format!("inline-block {BUTTON}") data-testid="open-live">{t!(i18n, live_open)}</a></p>
        })}
        <dl class="mt-3 grid grid-cols-[auto_1fr] gap-x-6 gap-y-1 text-sm">
            <dt class="text-slate-600">{t!(i18n, field_subject)}</dt><dd>{class.subject.clone()}</dd>
            <dt class="text-slate-600">{t!(i18n, field_lecturer_info)}</dt><dd class="whitespace-pre-line">{class.lecturer_info.clone()}</dd>
            <dt class="text-slate-600">{t!(i18n, field_date_info)}</dt><dd>{class.date_info.clone()} " " {date_range(class.begins_on, class.ends_on)}</dd>
            <dt class="text-slate-600">{t!(i18n, class_instructors)}</dt>
            <dd>{instructors}</dd>
            <dt class="text-slate-600">{t!(i18n, attendance_rate)}</dt>
            <dd data-testid="class-rate">{rate}</dd>
        </dl>
        {panel}
        {lectures}
        {settings}
    }
}

fn staff_panel(data: &ClassData, actions: ClassActions) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let class = data.class.clone();
    let add_error = last_error(actions.add_student);
    let remove_error = last_error(actions.remove);
    let request_error = last_error(actions.request);
    // Set by the request's redirect.
    let requested = use_query_map()
        .read_untracked()
        .get("requested")
        .and_then(|n| n.parse::<i64>().ok())
        .map(|n| fill(i18n.t().accounts_requested, &[("n", &n.to_string())]));
    let id = StoredValue::new(class.id.clone());
    let pending = data.pending.clone();
    let roster_size = data.roster.len();
    view! {
        <section aria-labelledby="join-code" class="mt-6 grid gap-4 sm:grid-cols-2">
            <div class=CARD>
                <h2 id="join-code" class="text-sm font-medium text-slate-600">{t!(i18n, join_code)}</h2>
                <p class="mt-1 font-mono text-3xl font-bold tracking-wider" data-testid="join-code">{class.join_code.clone()}</p>
                <p class="mt-1 text-xs text-slate-600">{move || if class.join_approval { i18n.t().join_needs_approval } else { i18n.t().join_open }}</p>
                <ActionForm action=actions.regenerate attr:class="mt-2">
                    <input type="hidden" name="id" value=id.get_value() />
                    <button type="submit" class=BUTTON_QUIET>{t!(i18n, join_code_regenerate)}</button>
                </ActionForm>
            </div>
            <div class=CARD>
                <h2 class="text-sm font-medium text-slate-600">{t!(i18n, ingest_token)}</h2>
                <p class="mt-1 text-xs text-slate-600">{t!(i18n, ingest_token_lead)}</p>
                <input readonly class="mt-1 w-full rounded border border-slate-300 bg-slate-50 px-2 py-1 font-mono text-xs" aria-label=t!(i18n, ingest_token) value=class.ingest_token.clone() data-testid="ingest-token" />
                <ActionForm action=actions.rotate attr:class="mt-2">
                    <input type="hidden" name="id" value=id.get_value() />
                    <button type="submit" class=BUTTON_QUIET>{t!(i18n, ingest_token_rotate)}</button>
                </ActionForm>
            </div>
        </section>

        {(!pending.is_empty()).then(|| view! {
            <section aria-labelledby="pending-heading" class="mt-8">
                <h2 id="pending-heading" class="text-lg font-semibold">{t!(i18n, join_requests)}</h2>
                <ul class="mt-2 divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white">
                    {pending.into_iter().map(|entry| {
                        let student_id = StoredValue::new(entry.student.id.clone());
                        view! {
                            <li class="flex flex-wrap items-center justify-between gap-2 px-3 py-2">
                                <span>{entry.student.name()} " " <span class="text-sm text-slate-600">{entry.student.email.clone()}</span></span>
                                <span class="flex gap-2">
                                    <ActionForm action=actions.approve>
                                        <input type="hidden" name="id" value=id.get_value() />
                                        <input type="hidden" name="student_id" value=student_id.get_value() />
                                        <button type="submit" class=BUTTON_QUIET>{t!(i18n, approve)}</button>
                                    </ActionForm>
                                    <ActionForm action=actions.remove>
                                        <input type="hidden" name="id" value=id.get_value() />
                                        <input type="hidden" name="student_id" value=student_id.get_value() />
                                        <button type="submit" class=BUTTON_DANGER>{t!(i18n, reject)}</button>
                                    </ActionForm>
                                </span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        })}

        <section aria-labelledby="roster-heading" class="mt-8">
            <h2 id="roster-heading" class="text-lg font-semibold">
                {t!(i18n, roster_title)} " "
                <span class="text-sm font-normal text-slate-600">{move || fill(i18n.t().students_count, &[("n", &roster_size.to_string())])}</span>
            </h2>
            {(roster_size == 0).then(|| view! { <p class="mt-2 text-slate-600">{t!(i18n, roster_empty)}</p> })}
            <div class="mt-2 overflow-x-auto">
                <table class="min-w-full divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white text-sm">
                    <thead class="bg-slate-50 text-left">
                        <tr>
                            <th scope="col" class="px-3 py-2">{t!(i18n, field_name)}</th>
                            <th scope="col" class="px-3 py-2">{t!(i18n, field_email)}</th>
                            <th scope="col" class="px-3 py-2">{t!(i18n, attendance_rate)}</th>
                            <th scope="col" class="px-3 py-2"><span class="sr-only">{t!(i18n, actions)}</span></th>
                        </tr>
                    </thead>
                    <tbody class="divide-y divide-slate-100" data-testid="roster">
                        {data.roster.clone().into_iter().map(|entry| {
                            let rate = percent(entry.rate());
                            let detail = fill("{a}/{c}", &[("a", &entry.attended.to_string()), ("c", &entry.counted.to_string())]);
                            view! {
                                <tr>
                                    <td class="px-3 py-2"><a href=format!("/users/{}/progress", entry.student.id) class=LINK>{entry.student.name()}</a></td>
                                    <td class="px-3 py-2">{entry.student.email.clone()}</td>
                                    <td class="px-3 py-2">{rate} " " <span class="text-xs text-slate-500">{detail}</span></td>
                                    <td class="px-3 py-2 text-right">
                                        <ActionForm action=actions.remove>
                                            <input type="hidden" name="id" value=id.get_value() />
                                            <input type="hidden" name="student_id" value=entry.student.id.clone() />
                                            <button type="submit" class=BUTTON_DANGER aria-label=format!("{} {}", i18n.t().remove, entry.student.name())>{t!(i18n, remove)}</button>
                                        </ActionForm>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <FormError error=remove_error />
            <ActionForm action=actions.add_student attr:class="mt-4 flex flex-wrap items-end gap-3" attr:novalidate=true>
                <input type="hidden" name="id" value=id.get_value() />
                <div class="grow"><TextField name="email" kind="email" label=t!(i18n, roster_add_email) autocomplete="off" error=add_error /></div>
                <button type="submit" class=BUTTON>{t!(i18n, roster_add)}</button>
            </ActionForm>
            <details class="mt-4 max-w-xl">
                <summary class="cursor-pointer font-medium text-indigo-700">{t!(i18n, accounts_request)}</summary>
                <ActionForm action=actions.request attr:class="mt-3 space-y-3">
                    <input type="hidden" name="class_id" value=id.get_value() />
                    <label for="field-students" class="block text-sm font-medium">{t!(i18n, accounts_request_list)}</label>
                    <p class="text-xs text-slate-600" id="students-hint">{t!(i18n, accounts_request_hint)}</p>
                    <textarea id="field-students" name="students" rows="6" aria-describedby="students-hint field-students-error" class=INPUT></textarea>
                    <FieldMessage field="students" error=request_error />
                    <p role="status" class="text-sm text-green-800">{requested}</p>
                    <button type="submit" class=BUTTON>{t!(i18n, accounts_request_send)}</button>
                </ActionForm>
            </details>
        </section>
    }
}

fn lectures_section(data: &ClassData, actions: ClassActions) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let staff = data.role == ClassRole::Staff;
    let error = last_error(actions.lecture);
    let class_id = StoredValue::new(data.class.id.clone());
    let now = chrono::Utc::now();
    let chart: Vec<LectureSummary> = data
        .lectures
        .iter()
        .filter(|l| l.starts_at <= now)
        .cloned()
        .collect();
    view! {
        <section aria-labelledby="lectures-heading" class="mt-10">
            <h2 id="lectures-heading" class="text-lg font-semibold">{t!(i18n, lectures_title)}</h2>
            {data.lectures.is_empty().then(|| view! { <p class="mt-2 text-slate-600">{t!(i18n, lectures_none)}</p> })}
            <ol class="mt-2 divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white" data-testid="lectures">
                {data.lectures.iter().map(|lecture| {
                    let starts = lecture.starts_at;
                    let counts = lecture_counts(i18n, lecture);
                    let rate = percent(lecture.rate());
                    let mine = lecture.my_status;
                    view! {
                        <li class="flex flex-wrap items-center justify-between gap-2 px-3 py-2">
                            <span>
                                <span class="text-slate-500">{format!("{}. ", lecture.sequence)}</span>
                                {if staff {
                                    view! { <a href=format!("/lectures/{}", lecture.id) class=LINK>{lecture.title.clone()}</a> }.into_any()
                                } else {
                                    view! { <span>{lecture.title.clone()}</span> }.into_any()
                                }}
                                <span class="ml-2 text-sm text-slate-600">{move || format_datetime(i18n.locale(), &starts)}</span>
                            </span>
                            {if staff {
                                view! { <span class="text-sm">{rate} " · " {counts}</span> }.into_any()
                            } else {
                                view! { <span class="text-sm" data-testid="my-status">{move || mine.map_or(i18n.t().attendance_unmarked, |s| status_label(i18n, s))}</span> }.into_any()
                            }}
                        </li>
                    }
                }).collect_view()}
            </ol>
            {staff.then(|| view! {
                <AttendanceChart lectures=chart.clone() />
                <p class="mt-3 text-sm">
                    <a href=format!("/classes/{}/attendance.csv", class_id.get_value()) rel="external" download class=LINK>{t!(i18n, attendance_download)}</a>
                </p>
                <details class="mt-4 max-w-xl">
                    <summary class="cursor-pointer font-medium text-indigo-700">{t!(i18n, lecture_new)}</summary>
                    <ActionForm action=actions.lecture attr:class="mt-3 space-y-3" attr:novalidate=true>
                        <input type="hidden" name="class_id" value=class_id.get_value() />
                        <LectureFields error=error />
                        <FormError error=error />
                        <button type="submit" class=BUTTON>{t!(i18n, lecture_create)}</button>
                    </ActionForm>
                </details>
            })}
            {(!staff).then(|| view! { <p class="mt-4"><a href="/checkin" class=LINK>{t!(i18n, check_in_title)}</a></p> })}
        </section>
    }
}

/// Attendance per started lecture as an SVG bar chart (no script needed).
#[component]
fn AttendanceChart(lectures: Vec<LectureSummary>) -> impl IntoView {
    const HEIGHT: f64 = 100.0;
    const BAR: f64 = 24.0;
    const GAP: f64 = 8.0;
    let i18n = use_i18n();
    if lectures.iter().all(|l| l.expected == 0) {
        return ().into_any();
    }
    let width = lectures.len() as f64 * (BAR + GAP);
    view! {
        <figure class="mt-4">
            <figcaption class="text-sm font-medium">{t!(i18n, attendance_chart)}</figcaption>
            <svg viewBox=format!("0 0 {width} {}", HEIGHT + 16.0) width=width * 1.5 height=(HEIGHT + 16.0) * 1.5 class="mt-2 max-w-full" role="img" aria-label=t!(i18n, attendance_chart) data-testid="attendance-chart">
                <line x1="0" y1=HEIGHT x2=width y2=HEIGHT class="stroke-slate-300" />
                {lectures.into_iter().enumerate().map(|(i, lecture)| {
                    let rate = lecture.rate().unwrap_or(0.0);
                    let h = rate / 100.0 * HEIGHT;
                    let x = i as f64 * (BAR + GAP);
                    view! {
                        <g>
                            <title>{format!("{}. {}: {}", lecture.sequence, lecture.title, percent(lecture.rate()))}</title>
                            <rect x=x y=HEIGHT - h width=BAR height=h class="fill-indigo-600" />
                            <text x=x + BAR / 2.0 y=HEIGHT + 12.0 text-anchor="middle" class="fill-slate-600 text-[10px]">{lecture.sequence}</text>
                        </g>
                    }
                }).collect_view()}
            </svg>
        </figure>
    }
    .into_any()
}

/// The fields of a lecture, blank or filled.
#[component]
pub fn LectureFields(
    error: Signal<Option<crate::app_error::AppError>>,
    #[prop(optional)] lecture: Option<crate::courses::model::LectureSummary>,
) -> impl IntoView {
    use crate::courses::model::AttendanceType;
    let i18n = use_i18n();
    let title = lecture
        .as_ref()
        .map(|l| l.title.clone())
        .unwrap_or_default();
    let sequence = lecture
        .as_ref()
        .map(|l| l.sequence.to_string())
        .unwrap_or_default();
    let starts = lecture
        .as_ref()
        .map(|l| l.starts_at.format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default();
    let duration = lecture
        .as_ref()
        .map_or(90, |l| l.duration_minutes)
        .to_string();
    let kind = lecture
        .as_ref()
        .map_or(AttendanceType::Manual, |l| l.attendance_type);
    view! {
        <TextField name="title" kind="text" label=t!(i18n, field_title) autocomplete="off" value=title error=error />
        <div class="grid gap-3 sm:grid-cols-3">
            <TextField name="sequence" kind="number" label=t!(i18n, field_sequence) autocomplete="off" hint=t!(i18n, field_sequence_hint) value=sequence error=error />
            <TextField name="starts_at" kind="datetime-local" label=t!(i18n, field_starts_at) autocomplete="off" value=starts error=error />
            <TextField name="duration_minutes" kind="number" label=t!(i18n, field_duration) autocomplete="off" value=duration error=error />
        </div>
        <div>
            <label for="field-attendance_type" class="block text-sm font-medium">{t!(i18n, field_attendance_type)}</label>
            <select id="field-attendance_type" name="attendance_type" class=SELECT>
                {AttendanceType::ALL.map(|t| view! {
                    <option value=t.as_str() selected=t == kind>
                        {move || match t { AttendanceType::Manual => i18n.t().attendance_type_manual, AttendanceType::SelfCheckIn => i18n.t().attendance_type_self }}
                    </option>
                }).collect_view()}
            </select>
        </div>
    }
}

fn settings_section(data: &ClassData, actions: ClassActions) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let class = data.class.clone();
    let update_error = last_error(actions.update);
    let instructor_error = last_error(actions.add_instructor);
    let copy_error = last_error(actions.copy);
    let archived = class.archived;
    let id = StoredValue::new(class.id.clone());
    let copy_title = format!("{} (2)", class.title);
    let audit = class.audit.clone();
    view! {
        <section aria-labelledby="settings-heading" class="mt-10 max-w-xl">
            <h2 id="settings-heading" class="text-lg font-semibold">{t!(i18n, class_settings)}</h2>
            <ActionForm action=actions.update attr:class="mt-4 space-y-4" attr:novalidate=true>
                <input type="hidden" name="id" value=id.get_value() />
                <ClassFields error=update_error class=class.clone() />
                <FormError error=update_error />
                <p role="status" class="text-sm text-green-800">{move || last_saved(actions.update).get().then(|| i18n.t().saved)}</p>
                <button type="submit" class=BUTTON>{t!(i18n, save)}</button>
            </ActionForm>
            <ActionForm action=actions.add_instructor attr:class="mt-8 flex flex-wrap items-end gap-3" attr:novalidate=true>
                <input type="hidden" name="id" value=id.get_value() />
                <div class="grow"><TextField name="email" kind="email" label=t!(i18n, instructor_add_email) autocomplete="off" error=instructor_error /></div>
                <button type="submit" class=BUTTON_QUIET>{t!(i18n, instructor_add)}</button>
            </ActionForm>
            <ActionForm action=actions.copy attr:class="mt-8 flex flex-wrap items-end gap-3" attr:novalidate=true>
                <input type="hidden" name="id" value=id.get_value() />
                <div class="grow"><TextField name="title" kind="text" label=t!(i18n, class_copy_title) autocomplete="off" value=copy_title error=copy_error /></div>
                <button type="submit" class=BUTTON_QUIET>{t!(i18n, class_copy)}</button>
            </ActionForm>
            <ActionForm action=actions.archive attr:class="mt-8">
                <input type="hidden" name="id" value=id.get_value() />
                <input type="hidden" name="archived" value=(!archived).to_string() />
                <button type="submit" class=if archived { BUTTON_QUIET } else { BUTTON_DANGER }>
                    {move || if archived { i18n.t().class_restore } else { i18n.t().class_archive }}
                </button>
            </ActionForm>
            <p class="mt-6 text-xs text-slate-500">
                {move || fill(i18n.t().audit_line, &[
                    ("created", &format_datetime(i18n.locale(), &audit.created_at)),
                    ("updated", &format_datetime(i18n.locale(), &audit.updated_at)),
                ])}
            </p>
        </section>
    }
}
