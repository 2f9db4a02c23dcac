//! `GET /classes/{id}/attendance.csv`: a class's attendance as a spreadsheet (S3.9),
//! one row per student, one column per lecture, then attended, counted and rate. For
//! the class's staff; column names in the reader's language.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use http::{HeaderMap, StatusCode, header};

use super::lectures::ClassRecord;
use super::model::rate;
use crate::app_error::AppError;
use crate::auth::service::AuthSession;
use crate::error::ApiError;
use crate::server::AppState;

pub async fn attendance_csv(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(class_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(user) = auth.user else {
        return ApiError::from_status(StatusCode::UNAUTHORIZED).into_response();
    };
    match build(&state, &user, &class_id, &headers).await {
        Ok((file_name, csv)) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{file_name}\""),
                ),
            ],
            csv,
        )
            .into_response(),
        Err(error) => ApiError::from_status(
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        )
        .into_response(),
    }
}

async fn build(
    state: &AppState,
    user: &crate::auth::service::User,
    class_id: &str,
    headers: &HeaderMap,
) -> Result<(String, String), AppError> {
    super::access::require_staff(&state.db, user, class_id).await?;
    let t = crate::i18n::locale_for_request(headers).messages();
    let tz = state.config.timezone;
    let class = super::classes::class(&state.db, class_id).await?;
    let record = ClassRecord::load(&state.db, class_id).await?;
    let lectures = record.lectures(tz, None);
    let now = Utc::now();

    let mut header_row = vec![t.field_name.to_owned(), t.field_email.to_owned()];
    header_row.extend(lectures.iter().map(|l| {
        format!(
            "{}. {} ({})",
            l.sequence,
            l.title,
            l.starts_at.format("%Y-%m-%d %H:%M")
        )
    }));
    header_row.extend([
        t.progress_lectures_attended.to_owned(),
        t.csv_counted.to_owned(),
        t.attendance_rate.to_owned(),
    ]);
    let mut csv = csv_line(&header_row);
    for (student, _) in super::classes::enrolled(&state.db, class_id, "active").await? {
        let mut row = vec![student.name(), student.email.clone()];
        for lecture in &lectures {
            let cell = match record.mark(&lecture.id, &student.id) {
                Some(status) => status.label(t).to_owned(),
                None if record.counts_for(&lecture.id, &student.id, now) => {
                    t.attendance_unmarked.to_owned()
                }
                None => String::new(),
            };
            row.push(cell);
        }
        let (attended, counted) = record.student_totals(&student.id, now);
        row.extend([
            attended.to_string(),
            counted.to_string(),
            rate(attended, counted).map_or_else(String::new, |r| format!("{r:.1}")),
        ]);
        csv.push_str(&csv_line(&row));
    }
    let safe_title: String = class
        .title
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    Ok((format!("attendance-{safe_title}.csv"), csv))
}

/// One CSV line (RFC 4180). A cell that a spreadsheet would run as a formula (`=`, `+`,
/// `-`, `@`) gets a leading apostrophe, so a student's name cannot be a formula.
fn csv_line(cells: &[String]) -> String {
    let mut line = cells
        .iter()
        .map(|cell| {
            let cell = if cell.starts_with(['=', '+', '-', '@']) {
                format!("'{cell}")
            } else {
                cell.clone()
            };
            if cell.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", cell.replace('"', "\"\""))
            } else {
                cell
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

#[cfg(test)]
mod tests {
    use super::csv_line;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        let cells = [
            "Kim, Mina".to_owned(),
            "say \"hi\"".to_owned(),
            "=HYPERLINK()".to_owned(),
            "plain".to_owned(),
        ];
        assert_eq!(
            csv_line(&cells),
            "\"Kim, Mina\",\"say \"\"hi\"\"\",'=HYPERLINK(),plain\r\n"
        );
    }
}
