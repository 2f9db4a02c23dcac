//! `/courses` (search, pages, create) and `/courses/{id}` (edit, deactivate, its
//! classes, new class, certificates).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{date_range, route_id};
use crate::courses::api::{
    CreateClass, CreateCourse, IssueCertificate, IssueCertificates, SetCourseActive, UpdateCourse,
};
use crate::courses::model::{CoursePage as CoursePageData, CourseQuery};
use crate::i18n::{fill, format_datetime, use_i18n};
use crate::t;
use crate::ui::style::{BUTTON, BUTTON_DANGER, BUTTON_QUIET, CARD, INPUT, LINK, SELECT};
use crate::ui::{FieldMessage, FormError, TextField, last_error, last_saved, refusal};

/// `/courses`: find courses by title or keyword, page through them, create one.
#[component]
pub fn CoursesPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = move || {
        let q = use_query_map().read();
        CourseQuery {
            search: q.get("q").unwrap_or_default(),
            include_inactive: q.get("inactive").is_some_and(|v| v == "on"),
            page: q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1),
        }
    };
    let create = ServerAction::<CreateCourse>::new();
    let error = last_error(create);
    let listing = Resource::new(query, crate::courses::api::list_courses);
    let page_link = move |page: i64| {
        let q = query();
        format!(
            "/courses?q={}&inactive={}&page={page}",
            crate::ui::urlencode(&q.search),
            if q.include_inactive { "on" } else { "" }
        )
    };
    view! {
        <Title text=i18n.t().courses_title />
        <h1 class="text-2xl font-bold">{t!(i18n, courses_title)}</h1>
        <form method="get" action="/courses" role="search" class="mt-6 flex flex-wrap items-end gap-3">
            <div class="grow">
                <label for="q" class="block text-sm font-medium">{t!(i18n, courses_search)}</label>
                <input id="q" name="q" type="search" value=move || query().search class=INPUT />
            </div>
            <label class="flex items-center gap-2 text-sm">
                <input type="checkbox" name="inactive" checked=move || query().include_inactive />
                {t!(i18n, courses_include_inactive)}
            </label>
            <button type="submit" class=BUTTON>{t!(i18n, courses_search)}</button>
        </form>
        <Suspense fallback=|| ()>
            {move || listing.get().map(|result| match result {
                Err(error) => refusal(&error, "/courses"),
                Ok(listing) => {
                    let pages = (listing.total + listing.page_size - 1) / listing.page_size;
                    let page = listing.page;
                    view! {
                        <p class="mt-6 text-sm text-slate-600" data-testid="courses-total">
                            {move || fill(i18n.t().courses_count, &[("n", &listing.total.to_string())])}
                        </p>
                        <ul class="mt-2 grid gap-3 sm:grid-cols-2">
                            {listing.courses.into_iter().map(|course| view! {
                                <li class=CARD>
                                    <a href=format!("/courses/{}", course.id) class="font-semibold text-indigo-700 underline">{course.title.clone()}</a>
                                    {(!course.active).then(|| view! { <span class="ml-2 rounded bg-slate-200 px-2 text-xs">{t!(i18n, inactive)}</span> })}
                                    <p class="mt-1 text-sm text-slate-600">{course.keyword.clone()}</p>
                                </li>
                            }).collect_view()}
                        </ul>
                        <nav aria-label=t!(i18n, pagination) class="mt-4 flex gap-4 text-sm">
                            {(page > 1).then(|| view! { <a href=page_link(page - 1) class=LINK>{t!(i18n, page_previous)}</a> })}
                            <span>{format!("{page} / {}", pages.max(1))}</span>
                            {(page < pages).then(|| view! { <a href=page_link(page + 1) class=LINK>{t!(i18n, page_next)}</a> })}
                        </nav>
                        <section aria-labelledby="new-course" class="mt-10 max-w-xl">
                            <h2 id="new-course" class="text-lg font-semibold">{t!(i18n, course_new)}</h2>
                            <ActionForm action=create attr:class="mt-4 space-y-4" attr:novalidate=true>
                                <TextField name="title" kind="text" label=t!(i18n, field_title) autocomplete="off" error=error />
                                <TextField name="keyword" kind="text" label=t!(i18n, field_keyword) autocomplete="off" error=error />
                                <div>
                                    <label for="field-description" class="block text-sm font-medium">{t!(i18n, field_description)}</label>
                                    <textarea id="field-description" name="description" rows="3" class=INPUT></textarea>
                                    <FieldMessage field="description" error=error />
                                </div>
                                <FormError error=error />
                                <button type="submit" class=BUTTON>{t!(i18n, course_create)}</button>
                            </ActionForm>
                        </section>
                    }
                    .into_any()
                }
            })}
        </Suspense>
    }
}

/// `/courses/{id}` and `/courses/{id}/classes`.
#[component]
pub fn CoursePage() -> impl IntoView {
    let i18n = use_i18n();
    let id = route_id();
    let update = ServerAction::<UpdateCourse>::new();
    let activate = ServerAction::<SetCourseActive>::new();
    let create_class = ServerAction::<CreateClass>::new();
    let issue = ServerAction::<IssueCertificate>::new();
    let bulk = ServerAction::<IssueCertificates>::new();
    // Set by the bulk issue's redirect, so the count shows with or without JavaScript.
    let query = use_query_map();
    let issued = Signal::derive(move || {
        query
            .read()
            .get("issued")
            .and_then(|n| n.parse::<i64>().ok())
    });
    let page = Resource::new(id, crate::courses::api::get_course);
    view! {
        <Title text=i18n.t().course_title />
        <Suspense fallback=|| ()>
            {move || page.get().map(|result| match result {
                Err(error) => refusal(&error, &format!("/courses/{}", id())),
                Ok(data) => course_view(data, update, activate, create_class, issue, bulk, issued).into_any(),
            })}
        </Suspense>
    }
}

fn course_view(
    data: CoursePageData,
    update: ServerAction<UpdateCourse>,
    activate: ServerAction<SetCourseActive>,
    create_class: ServerAction<CreateClass>,
    issue: ServerAction<IssueCertificate>,
    bulk: ServerAction<IssueCertificates>,
    issued: Signal<Option<i64>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let course = data.course;
    let course_key = StoredValue::new(course.id.clone());
    let update_error = last_error(update);
    let class_error = last_error(create_class);
    let issue_error = last_error(issue);
    let bulk_error = last_error(bulk);
    let issued_count = move || {
        issued
            .get()
            .map(|n| fill(i18n.t().certificates_issued, &[("n", &n.to_string())]))
    };
    let active = course.active;
    let classes = data.classes.clone();
    view! {
        <nav class="text-sm"><a href="/courses" class=LINK>{t!(i18n, courses_title)}</a></nav>
        <h1 class="mt-2 text-2xl font-bold" data-testid="course-title">{course.title.clone()}</h1>
        {(!active).then(|| view! { <p class="mt-1 text-sm font-medium text-amber-800">{t!(i18n, course_inactive_note)}</p> })}
        <p class="mt-2 whitespace-pre-line text-slate-700">{course.description.clone()}</p>
        <p class="mt-1 text-sm text-slate-600">{course.keyword.clone()}</p>

        <section aria-labelledby="classes-heading" class="mt-8">
            <h2 id="classes-heading" class="text-lg font-semibold">{t!(i18n, classes_title)}</h2>
            <ul class="mt-3 grid gap-3 sm:grid-cols-2">
                {data.classes.into_iter().map(|class| view! {
                    <li class=CARD>
                        <a href=format!("/classes/{}", class.id) class="font-semibold text-indigo-700 underline">{class.title.clone()}</a>
                        {class.archived.then(|| view! { <span class="ml-2 rounded bg-slate-200 px-2 text-xs">{t!(i18n, archived)}</span> })}
                        <p class="text-sm text-slate-600">{class.subject.clone()} " · " {date_range(class.begins_on, class.ends_on)}</p>
                        <p class="text-sm">{move || fill(i18n.t().students_count, &[("n", &class.students.to_string())])}</p>
                    </li>
                }).collect_view()}
            </ul>
            {active.then(|| view! {
                <details class="mt-4 max-w-xl">
                    <summary class="cursor-pointer font-medium text-indigo-700">{t!(i18n, class_new)}</summary>
                    <ActionForm action=create_class attr:class="mt-4 space-y-4" attr:novalidate=true>
                        <input type="hidden" name="course_id" value=course_key.get_value() />
                        <ClassFields error=class_error />
                        <FormError error=class_error />
                        <FieldMessage field="course" error=class_error />
                        <button type="submit" class=BUTTON>{t!(i18n, class_create)}</button>
                    </ActionForm>
                </details>
            })}
        </section>

        {data.may_certify.then(|| {
            let certifications = data.certifications.clone();
            let students = data.students.clone();
            view! {
                <section aria-labelledby="certificates-heading" class="mt-10">
                    <h2 id="certificates-heading" class="text-lg font-semibold">{t!(i18n, certificates_title)}</h2>
                    <ActionForm action=bulk attr:class="mt-3 flex flex-wrap items-end gap-3">
                        <input type="hidden" name="course_id" value=course_key.get_value() />
                        <div>
                            <label for="min_rate" class="block text-sm font-medium">{t!(i18n, certificates_min_rate)}</label>
                            <input id="min_rate" name="min_rate" type="number" min="0" max="100" value="80" class=INPUT />
                        </div>
                        <button type="submit" class=BUTTON>{t!(i18n, certificates_issue_bulk)}</button>
                        <FieldMessage field="min_rate" error=bulk_error />
                        <p role="status" class="text-sm text-green-800">{issued_count}</p>
                    </ActionForm>
                    <details class="mt-4 max-w-xl">
                        <summary class="cursor-pointer font-medium text-indigo-700">{t!(i18n, certificates_issue_one)}</summary>
                        <ActionForm action=issue attr:class="mt-3 space-y-3">
                            <input type="hidden" name="course_id" value=course_key.get_value() />
                            <div>
                                <label for="cert-student" class="block text-sm font-medium">{t!(i18n, certificates_student)}</label>
                                <select id="cert-student" name="student_id" class=SELECT>
                                    {students.iter().map(|s| view! { <option value=s.id.clone()>{format!("{} ({})", s.name(), s.email)}</option> }).collect_view()}
                                </select>
                            </div>
                            <fieldset>
                                <legend class="text-sm font-medium">{t!(i18n, certificates_classes)}</legend>
                                {classes.iter().map(|class| view! {
                                    <label class="mt-1 flex items-center gap-2 text-sm">
                                        <input type="checkbox" name=format!("classes[{}]", crate::courses::model::form_key(&class.id)) value="on" />
                                        {class.title.clone()}
                                    </label>
                                }).collect_view()}
                                <FieldMessage field="class_ids" error=issue_error />
                                <FieldMessage field="student" error=issue_error />
                            </fieldset>
                            <FormError error=issue_error />
                            <button type="submit" class=BUTTON>{t!(i18n, certificates_issue)}</button>
                        </ActionForm>
                    </details>
                    <table class="mt-4 min-w-full divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white text-sm">
                        <thead class="bg-slate-50 text-left">
                            <tr>
                                <th scope="col" class="px-3 py-2">{t!(i18n, field_name)}</th>
                                <th scope="col" class="px-3 py-2">{t!(i18n, certificates_classes)}</th>
                                <th scope="col" class="px-3 py-2">{t!(i18n, certificates_issued_at)}</th>
                            </tr>
                        </thead>
                        <tbody class="divide-y divide-slate-100" data-testid="certificates">
                            {certifications.into_iter().map(|cert| {
                                let issued_at = cert.issued_at;
                                view! {
                                    <tr>
                                        <td class="px-3 py-2"><a href=format!("/certificates/{}", cert.id) class=LINK>{cert.student_name.clone()}</a></td>
                                        <td class="px-3 py-2">{cert.classes.iter().map(|c| c.title.clone()).collect::<Vec<_>>().join(", ")}</td>
                                        <td class="px-3 py-2">{move || format_datetime(i18n.locale(), &issued_at)}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </section>
            }
        })}

        {data.may_edit.then(|| view! {
            <section aria-labelledby="edit-course" class="mt-10 max-w-xl">
                <h2 id="edit-course" class="text-lg font-semibold">{t!(i18n, course_edit)}</h2>
                <ActionForm action=update attr:class="mt-4 space-y-4" attr:novalidate=true>
                    <input type="hidden" name="id" value=course_key.get_value() />
                    <TextField name="title" kind="text" label=t!(i18n, field_title) autocomplete="off" value=course.title.clone() error=update_error />
                    <TextField name="keyword" kind="text" label=t!(i18n, field_keyword) autocomplete="off" value=course.keyword.clone() error=update_error />
                    <div>
                        <label for="edit-description" class="block text-sm font-medium">{t!(i18n, field_description)}</label>
                        <textarea id="edit-description" name="description" rows="3" class=INPUT>{course.description.clone()}</textarea>
                        <FieldMessage field="description" error=update_error />
                    </div>
                    <FormError error=update_error />
                    <p role="status" class="text-sm text-green-800">{move || last_saved(update).get().then(|| i18n.t().saved)}</p>
                    <button type="submit" class=BUTTON>{t!(i18n, save)}</button>
                </ActionForm>
                <ActionForm action=activate attr:class="mt-6">
                    <input type="hidden" name="id" value=course_key.get_value() />
                    <input type="hidden" name="active" value=(!active).to_string() />
                    <button type="submit" class=if active { BUTTON_DANGER } else { BUTTON_QUIET }>
                        {move || if active { i18n.t().course_deactivate } else { i18n.t().course_reactivate }}
                    </button>
                </ActionForm>
                <p class="mt-6 text-xs text-slate-500">
                    {move || fill(i18n.t().audit_line, &[
                        ("created", &format_datetime(i18n.locale(), &course.audit.created_at)),
                        ("updated", &format_datetime(i18n.locale(), &course.audit.updated_at)),
                    ])}
                </p>
            </section>
        })}
    }
}

/// The fields of a class, blank or filled from an existing class.
#[component]
pub fn ClassFields(
    error: Signal<Option<crate::app_error::AppError>>,
    #[prop(optional)] class: Option<crate::courses::model::Class>,
) -> impl IntoView {
    let i18n = use_i18n();
    let value = |f: fn(&crate::courses::model::Class) -> String| class.as_ref().map(f);
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let approval = class.as_ref().is_some_and(|c| c.join_approval);
    view! {
        <TextField name="title" kind="text" label=t!(i18n, field_title) autocomplete="off" value=value(|c| c.title.clone()).unwrap_or_default() error=error />
        <TextField name="subject" kind="text" label=t!(i18n, field_subject) autocomplete="off" hint=t!(i18n, field_subject_hint) value=value(|c| c.subject.clone()).unwrap_or_default() error=error />
        <TextField name="lecturer_info" kind="text" label=t!(i18n, field_lecturer_info) autocomplete="off" value=value(|c| c.lecturer_info.clone()).unwrap_or_default() error=error />
        <TextField name="date_info" kind="text" label=t!(i18n, field_date_info) autocomplete="off" hint=t!(i18n, field_date_info_hint) value=value(|c| c.date_info.clone()).unwrap_or_default() error=error />
        <div class="grid gap-4 sm:grid-cols-2">
            <TextField name="begins_on" kind="date" label=t!(i18n, field_begins_on) autocomplete="off" value=date(class.as_ref().and_then(|c| c.begins_on)) error=error />
            <TextField name="ends_on" kind="date" label=t!(i18n, field_ends_on) autocomplete="off" value=date(class.as_ref().and_then(|c| c.ends_on)) error=error />
        </div>
        <label class="flex items-center gap-2 text-sm">
            <input type="checkbox" name="join_approval" value="on" checked=approval />
            {t!(i18n, field_join_approval)}
        </label>
    }
}
