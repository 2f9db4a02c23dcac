//! Certificates: `/certificates/{id}` (printable), `/verify/{id}` (public check of who,
//! which course, which classes and when) and `/users/{id}/certifications`.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{date_range, route_id};
use crate::courses::model::Certification;
use crate::i18n::{fill, format_datetime, use_i18n};
use crate::t;
use crate::ui::refusal;
use crate::ui::style::{CARD, LINK};

/// The certificate, laid out for printing (the site's header and footer are hidden
/// on paper).
#[component]
pub fn CertificatePage() -> impl IntoView {
    let i18n = use_i18n();
    let id = route_id();
    let cert = Resource::new(id, crate::courses::api::certificate);
    view! {
        <Title text=i18n.t().certificate_title />
        <Suspense fallback=|| ()>
            {move || cert.get().map(|result| match result {
                Err(error) => refusal(&error, "/"),
                Ok(cert) => printable(cert).into_any(),
            })}
        </Suspense>
    }
}

fn printable(cert: Certification) -> impl IntoView {
    let i18n = use_i18n();
    let issued = cert.issued_at;
    let verify = format!("/verify/{}", cert.id);
    view! {
        <article class="mx-auto max-w-2xl rounded-lg border-4 border-double border-indigo-800 bg-white p-10 text-center print:border-8">
            <p class="text-sm uppercase tracking-widest text-slate-600">{t!(i18n, certificate_heading)}</p>
            <h1 class="mt-6 text-4xl font-bold" data-testid="certificate-name">{cert.student_name.clone()}</h1>
            <p class="mt-4 text-lg">{t!(i18n, certificate_completed)}</p>
            <p class="mt-2 text-2xl font-semibold" data-testid="certificate-course">{cert.course_title.clone()}</p>
            <ul class="mt-4 text-slate-700">
                {cert.classes.into_iter().map(|c| view! { <li>{c.title} " " <span class="text-sm">{date_range(c.begins_on, c.ends_on)}</span></li> }).collect_view()}
            </ul>
            <p class="mt-8 text-sm text-slate-600">{move || fill(i18n.t().certificate_issued_on, &[("date", &format_datetime(i18n.locale(), &issued))])}</p>
            <p class="mt-1 text-xs text-slate-500">{t!(i18n, certificate_id)} " " <span class="font-mono">{cert.id.clone()}</span></p>
            <p class="mt-4 text-sm print:hidden"><a href=verify class=LINK>{t!(i18n, certificate_verify_link)}</a></p>
        </article>
    }
}

/// Public verification: anyone with the id sees whom it was issued to, for what and when.
#[component]
pub fn VerifyPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = route_id();
    let cert = Resource::new(id, crate::courses::api::certificate);
    view! {
        <Title text=i18n.t().verify_title />
        <h1 class="text-2xl font-bold">{t!(i18n, verify_title)}</h1>
        <Suspense fallback=|| ()>
            {move || cert.get().map(|result| match result {
                Err(_) => view! { <p class="mt-4 font-medium text-red-800" role="alert" data-testid="verify-result">{t!(i18n, verify_unknown)}</p> }.into_any(),
                Ok(cert) => {
                    let issued = cert.issued_at;
                    view! {
                        <div class=format!("mt-4 {CARD}")>
                            <p class="font-medium text-green-800" data-testid="verify-result">{t!(i18n, verify_valid)}</p>
                            <dl class="mt-3 grid grid-cols-[auto_1fr] gap-x-6 gap-y-1">
                                <dt class="text-slate-600">{t!(i18n, verify_holder)}</dt><dd data-testid="verify-holder">{cert.student_name.clone()}</dd>
                                <dt class="text-slate-600">{t!(i18n, verify_course)}</dt><dd data-testid="verify-course">{cert.course_title.clone()}</dd>
                                <dt class="text-slate-600">{t!(i18n, certificates_classes)}</dt>
                                <dd data-testid="verify-classes">{cert.classes.iter().map(|c| format!("{} {}", c.title, date_range(c.begins_on, c.ends_on))).collect::<Vec<_>>().join("; ")}</dd>
                                <dt class="text-slate-600">{t!(i18n, certificates_issued_at)}</dt><dd>{move || format_datetime(i18n.locale(), &issued)}</dd>
                                <dt class="text-slate-600">{t!(i18n, verify_issued_by)}</dt><dd>{cert.issued_by.clone()}</dd>
                            </dl>
                        </div>
                    }.into_any()
                }
            })}
        </Suspense>
    }
}

/// `/users/{id}/certifications`: a student's certificates.
#[component]
pub fn UserCertificationsPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = route_id();
    let certs = Resource::new(id, crate::courses::api::user_certifications);
    view! {
        <Title text=i18n.t().certificates_title />
        <h1 class="text-2xl font-bold">{t!(i18n, certificates_title)}</h1>
        <Suspense fallback=|| ()>
            {move || certs.get().map(|result| match result {
                Err(error) => refusal(&error, &format!("/users/{}/certifications", id())),
                Ok(certs) => certificate_list(certs).into_any(),
            })}
        </Suspense>
    }
}

/// Certificates as a list of links to their printable pages.
pub fn certificate_list(certs: Vec<Certification>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        {certs.is_empty().then(|| view! { <p class="mt-2 text-slate-600">{t!(i18n, certificates_none)}</p> })}
        <ul class="mt-2 space-y-2" data-testid="my-certificates">
            {certs.into_iter().map(|cert| {
                let issued = cert.issued_at;
                view! {
                    <li>
                        <a href=format!("/certificates/{}", cert.id) class=LINK>{cert.course_title.clone()}</a>
                        <span class="ml-2 text-sm text-slate-600">{move || format_datetime(i18n.locale(), &issued)}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
