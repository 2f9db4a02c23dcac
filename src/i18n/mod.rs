//! The translation layer: every UI string, in English, Japanese and Korean, plus localised
//! dates and relative times.
//!
//! Messages are fields of one struct, so a message missing in any language is a compile
//! error rather than a blank on someone's screen. Components read them through [`use_i18n`].

mod messages;
mod switcher;
mod time;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub use messages::{Messages, field_error_message, fill};
pub use switcher::LanguageSwitcher;
pub use time::{format_datetime, relative_time};

/// The name of the cookie that remembers a chosen language.
pub const LOCALE_COOKIE: &str = "lectern_lang";

/// A language Lectern's interface speaks.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    En,
    Ja,
    Ko,
}

impl Locale {
    /// Every supported language, in the order the switcher lists them.
    pub const ALL: [Locale; 3] = [Locale::En, Locale::Ja, Locale::Ko];

    /// The BCP 47 tag, as used in `<html lang>` and the cookie.
    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Ja => "ja",
            Locale::Ko => "ko",
        }
    }

    /// The language's own name for itself, shown in the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::Ja => "日本語",
            Locale::Ko => "한국어",
        }
    }

    /// Parses a language tag such as `ja`, `ja-JP` or `KO_kr`.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Locale::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// Picks the best supported language from an `Accept-Language` header value,
    /// honouring q-values; English when nothing matches.
    pub fn negotiate(accept_language: &str) -> Locale {
        let mut best: Option<(f32, usize, Locale)> = None;
        for (position, item) in accept_language.split(',').enumerate() {
            let mut parts = item.split(';');
            let Some(locale) = parts.next().and_then(Locale::from_tag) else {
                continue;
            };
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if quality <= 0.0 {
                continue;
            }
            // Higher quality wins; on a tie the earlier entry wins.
            let better = match best {
                None => true,
                Some((q, pos, _)) => quality > q || (quality == q && position < pos),
            };
            if better {
                best = Some((quality, position, locale));
            }
        }
        best.map(|(_, _, l)| l).unwrap_or_default()
    }

    /// This language's messages.
    pub fn messages(self) -> &'static Messages {
        match self {
            Locale::En => &messages::EN,
            Locale::Ja => &messages::JA,
            Locale::Ko => &messages::KO,
        }
    }
}

/// A role's name in `locale`.
pub fn role_name(locale: Locale, role: crate::auth::model::Role) -> &'static str {
    use crate::auth::model::Role;
    let m = locale.messages();
    match role {
        Role::Student => m.role_student,
        Role::Instructor => m.role_instructor,
        Role::Admin => m.role_admin,
        Role::SuperAdmin => m.role_super_admin,
    }
}

/// The current language, shared by every component of a page.
#[derive(Copy, Clone)]
pub struct I18n {
    locale: RwSignal<Locale>,
}

impl I18n {
    /// The language in use (tracked).
    pub fn locale(&self) -> Locale {
        self.locale.get()
    }

    /// The messages of the language in use (tracked).
    pub fn t(&self) -> &'static Messages {
        self.locale.get().messages()
    }
}

/// Makes the language of this request (server) or of the served page (browser) available
/// to every component below.
pub fn provide_i18n() -> I18n {
    let i18n = I18n {
        locale: RwSignal::new(initial_locale()),
    };
    provide_context(i18n);
    i18n
}

/// The page's language, from [`provide_i18n`]; in an island in the browser (which has no
/// context from the page around it), the language the page was rendered in.
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_else(provide_i18n)
}

/// A message of the current language as a reactive closure: `t!(i18n, nav_home)`.
#[macro_export]
macro_rules! t {
    ($i18n:expr, $key:ident) => {{
        let i18n = $i18n;
        move || i18n.t().$key
    }};
}

/// The server picks the language from the remembered choice, else the browser's
/// `Accept-Language`.
#[cfg(feature = "ssr")]
fn initial_locale() -> Locale {
    use_context::<http::request::Parts>()
        .map(|parts| locale_for_request(&parts.headers))
        .unwrap_or_default()
}

/// The browser keeps the language the server rendered (`<html lang>`), so hydration matches.
#[cfg(not(feature = "ssr"))]
fn initial_locale() -> Locale {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
            .and_then(|e| e.get_attribute("lang"))
            .and_then(|lang| Locale::from_tag(&lang))
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    Locale::default()
}

/// The language for a request: the `lectern_lang` cookie if valid, else `Accept-Language`.
#[cfg(feature = "ssr")]
pub fn locale_for_request(headers: &http::HeaderMap) -> Locale {
    let from_cookie = headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == LOCALE_COOKIE)
        .and_then(|(_, value)| Locale::from_tag(value));
    from_cookie.unwrap_or_else(|| {
        headers
            .get(http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(Locale::negotiate)
            .unwrap_or_default()
    })
}

/// Remembers the chosen language in a cookie; the page then re-renders in it.
#[server(prefix = "/api/fn", endpoint = "set_locale")]
pub async fn set_locale(locale: String) -> Result<Locale, ServerFnError> {
    let locale = Locale::from_tag(&locale).ok_or_else(|| {
        crate::error::reject(
            http::StatusCode::BAD_REQUEST,
            format!("unsupported language: {locale}"),
        )
    })?;
    let cookie = format!(
        "{LOCALE_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly",
        locale.code()
    );
    let response = expect_context::<leptos_axum::ResponseOptions>();
    response.append_header(
        http::header::SET_COOKIE,
        http::HeaderValue::from_str(&cookie)
            .map_err(|_| ServerFnError::new("invalid cookie value"))?,
    );
    Ok(locale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_honours_quality_and_order() {
        assert_eq!(Locale::negotiate("ja-JP,ja;q=0.9,en;q=0.8"), Locale::Ja);
        assert_eq!(Locale::negotiate("fr-FR, ko;q=0.5, en;q=0.4"), Locale::Ko);
        assert_eq!(Locale::negotiate("en;q=0.2, ja;q=0.7"), Locale::Ja);
        assert_eq!(Locale::negotiate("ko, ja"), Locale::Ko);
        assert_eq!(Locale::negotiate("ja;q=0, de"), Locale::En);
        assert_eq!(Locale::negotiate(""), Locale::En);
        assert_eq!(Locale::negotiate("*"), Locale::En);
    }

    #[test]
    fn tags_parse_case_insensitively() {
        assert_eq!(Locale::from_tag("KO_kr"), Some(Locale::Ko));
        assert_eq!(Locale::from_tag("ja"), Some(Locale::Ja));
        assert_eq!(Locale::from_tag("zh"), None);
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn cookie_wins_over_accept_language() {
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::ACCEPT_LANGUAGE, "ja".parse().unwrap());
        assert_eq!(locale_for_request(&headers), Locale::Ja);
        headers.insert(
            http::header::COOKIE,
            "a=b; lectern_lang=ko; c=d".parse().unwrap(),
        );
        assert_eq!(locale_for_request(&headers), Locale::Ko);
        headers.insert(http::header::COOKIE, "lectern_lang=xx".parse().unwrap());
        assert_eq!(locale_for_request(&headers), Locale::Ja);
    }
}
