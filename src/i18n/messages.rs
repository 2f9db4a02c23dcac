//! The message catalogue. Add a message by adding one entry with all three languages;
//! `{name}` marks a value filled in with [`fill`].

/// Declares [`Messages`] and one static per language from a single table.
macro_rules! messages {
    ($($key:ident { en: $en:expr, ja: $ja:expr, ko: $ko:expr $(,)? })*) => {
        /// Every string the interface shows, for one language.
        #[derive(Debug)]
        pub struct Messages {
            $(pub $key: &'static str,)*
        }
        pub(super) static EN: Messages = Messages { $($key: $en,)* };
        pub(super) static JA: Messages = Messages { $($key: $ja,)* };
        pub(super) static KO: Messages = Messages { $($key: $ko,)* };
    };
}

messages! {
    app_name { en: "Lectern", ja: "Lectern", ko: "Lectern" }
    app_tagline {
        en: "The live classroom for teaching with notebooks",
        ja: "ノートブックで教えるためのライブ教室",
        ko: "노트북으로 가르치는 라이브 교실",
    }
    skip_to_content { en: "Skip to content", ja: "本文へ移動", ko: "본문으로 건너뛰기" }
    nav_main { en: "Main", ja: "メイン", ko: "메인" }
    nav_home { en: "Home", ja: "ホーム", ko: "홈" }
    nav_status { en: "System status", ja: "システム状態", ko: "시스템 상태" }
    language { en: "Language", ja: "言語", ko: "언어" }
    apply { en: "Apply", ja: "適用", ko: "적용" }

    home_title {
        en: "See every student's notebook, live",
        ja: "すべての学生のノートブックをライブで",
        ko: "모든 학생의 노트북을 실시간으로",
    }
    home_lead {
        en: "Every cell a student runs arrives on your dashboard as it happens: who is working, who is stuck on an error, and who has raised a hand.",
        ja: "学生が実行したセルはすぐにダッシュボードに届きます。誰が取り組んでいて、誰がエラーで止まっていて、誰が手を挙げているかが分かります。",
        ko: "학생이 실행한 모든 셀이 즉시 대시보드에 도착합니다. 누가 작업 중인지, 누가 오류에 막혔는지, 누가 손을 들었는지 알 수 있습니다.",
    }
    feature_live_title { en: "Live classroom", ja: "ライブ教室", ko: "라이브 교실" }
    feature_live_body {
        en: "Executions, errors and progress for every student, updated as they work.",
        ja: "学生ごとの実行・エラー・進捗を、作業に合わせて更新します。",
        ko: "학생별 실행, 오류, 진행 상황을 작업하는 대로 갱신합니다.",
    }
    feature_help_title { en: "Help desk", ja: "ヘルプデスク", ko: "도움 요청" }
    feature_help_body {
        en: "Students ask for help with their code attached; instructors take requests in order.",
        ja: "学生はコード付きで質問でき、講師は順番に対応します。",
        ko: "학생은 코드와 함께 도움을 요청하고, 강사는 순서대로 응답합니다.",
    }
    feature_courses_title { en: "Courses", ja: "コース管理", ko: "과정 관리" }
    feature_courses_body {
        en: "Classes with join codes, lectures, attendance and certificates.",
        ja: "参加コード付きのクラス、講義、出席、修了証。",
        ko: "참여 코드가 있는 반, 강의, 출석, 수료증.",
    }

    status_database { en: "Database", ja: "データベース", ko: "데이터베이스" }
    status_version { en: "Version", ja: "バージョン", ko: "버전" }
    status_checked { en: "Checked", ja: "確認時刻", ko: "확인 시각" }
    status_healthy { en: "Healthy", ja: "正常", ko: "정상" }
    status_unavailable { en: "Unavailable", ja: "利用不可", ko: "사용 불가" }
    status_refresh { en: "Check again", ja: "再確認", ko: "다시 확인" }

    not_found_title { en: "Page not found", ja: "ページが見つかりません", ko: "페이지를 찾을 수 없습니다" }
    not_found_body {
        en: "There is no page at this address. It may have moved, or the link may be mistyped.",
        ja: "このアドレスにはページがありません。移動したか、リンクが間違っている可能性があります。",
        ko: "이 주소에는 페이지가 없습니다. 이동되었거나 링크가 잘못되었을 수 있습니다.",
    }
    back_home { en: "Back to the home page", ja: "ホームに戻る", ko: "홈으로 돌아가기" }
    error_title { en: "Something went wrong", ja: "問題が発生しました", ko: "문제가 발생했습니다" }
    error_body {
        en: "Lectern could not finish this request. Nothing you already saved is lost; try again in a moment.",
        ja: "このリクエストを完了できませんでした。保存済みのデータは失われていません。少し待ってからもう一度お試しください。",
        ko: "요청을 완료하지 못했습니다. 이미 저장된 내용은 그대로입니다. 잠시 후 다시 시도하세요.",
    }
    footer_source {
        en: "Lectern is self-hosted: your classroom's data stays on your server.",
        ja: "Lectern はセルフホスト型です。教室のデータはあなたのサーバーに残ります。",
        ko: "Lectern은 자체 호스팅됩니다. 교실 데이터는 여러분의 서버에 남습니다.",
    }

    sign_in { en: "Sign in", ja: "ログイン", ko: "로그인" }
    sign_out { en: "Sign out", ja: "ログアウト", ko: "로그아웃" }
    register { en: "Create account", ja: "アカウント作成", ko: "계정 만들기" }
    register_title { en: "Create a student account", ja: "学生アカウントの作成", ko: "학생 계정 만들기" }
    register_lead {
        en: "Instructors get their accounts from an administrator.",
        ja: "講師アカウントは管理者が作成します。",
        ko: "강사 계정은 관리자가 만듭니다.",
    }
    no_account_yet { en: "No account yet?", ja: "アカウントをお持ちでない方は", ko: "계정이 없으신가요?" }
    profile { en: "Profile", ja: "プロフィール", ko: "프로필" }
    sign_in_to_continue { en: "Sign in to continue", ja: "続けるにはログインしてください", ko: "계속하려면 로그인하세요" }
    field_email { en: "Email", ja: "メールアドレス", ko: "이메일" }
    field_password { en: "Password", ja: "パスワード", ko: "비밀번호" }
    field_first_name { en: "First name", ja: "名", ko: "이름" }
    field_last_name { en: "Last name", ja: "姓", ko: "성" }
    field_name { en: "Name", ja: "氏名", ko: "이름" }
    field_role { en: "Role", ja: "役割", ko: "역할" }
    field_grade_level { en: "Grade (9-12)", ja: "学年 (9-12)", ko: "학년 (9-12)" }
    password_hint {
        en: "8 to 128 characters, with an upper-case letter, a lower-case letter and a digit.",
        ja: "8〜128文字で、大文字・小文字・数字をそれぞれ1つ以上含めてください。",
        ko: "8~128자, 대문자·소문자·숫자를 각각 하나 이상 포함하세요.",
    }
    grade_hint { en: "Your school grade, 9 to 12.", ja: "9〜12の学年を入力してください。", ko: "9~12 사이의 학년을 입력하세요." }
    role_student { en: "Student", ja: "学生", ko: "학생" }
    role_instructor { en: "Instructor", ja: "講師", ko: "강사" }
    role_admin { en: "Administrator", ja: "管理者", ko: "관리자" }
    role_super_admin { en: "Super administrator", ja: "特権管理者", ko: "최고 관리자" }
    err_required { en: "This field is required.", ja: "この項目は必須です。", ko: "필수 항목입니다." }
    err_invalid_email { en: "Enter a valid email address.", ja: "正しいメールアドレスを入力してください。", ko: "올바른 이메일 주소를 입력하세요." }
    err_password_too_short { en: "Use at least 8 characters.", ja: "8文字以上にしてください。", ko: "8자 이상 입력하세요." }
    err_password_too_long { en: "Use at most 128 characters.", ja: "128文字以内にしてください。", ko: "128자 이하로 입력하세요." }
    err_password_too_weak {
        en: "Include an upper-case letter, a lower-case letter and a digit.",
        ja: "大文字・小文字・数字をそれぞれ含めてください。",
        ko: "대문자, 소문자, 숫자를 모두 포함하세요.",
    }
    err_too_long { en: "Use at most 50 characters.", ja: "50文字以内にしてください。", ko: "50자 이하로 입력하세요." }
    err_invalid_characters { en: "Remove the invisible characters.", ja: "使用できない文字が含まれています。", ko: "사용할 수 없는 문자가 있습니다." }
    err_invalid_grade { en: "Enter a grade from 9 to 12.", ja: "9〜12の学年を入力してください。", ko: "9~12 사이의 학년을 입력하세요." }
    err_taken {
        en: "An account with this email already exists. Sign in instead?",
        ja: "このメールアドレスのアカウントは既に存在します。ログインしますか？",
        ko: "이 이메일로 된 계정이 이미 있습니다. 로그인하시겠어요?",
    }
    err_wrong_credentials {
        en: "The email or password is not right.",
        ja: "メールアドレスまたはパスワードが正しくありません。",
        ko: "이메일 또는 비밀번호가 올바르지 않습니다.",
    }
    setup_title { en: "Set up Lectern", ja: "Lectern の初期設定", ko: "Lectern 초기 설정" }
    setup_lead {
        en: "Create the first administrator. The setup code is printed in the server's log.",
        ja: "最初の管理者を作成します。セットアップコードはサーバーのログに表示されています。",
        ko: "첫 관리자를 만듭니다. 설정 코드는 서버 로그에 출력되어 있습니다.",
    }
    setup_submit { en: "Create administrator", ja: "管理者を作成", ko: "관리자 만들기" }
    setup_closed {
        en: "Lectern is already set up. Administrators add instructors from the users page.",
        ja: "Lectern は設定済みです。講師は管理者がユーザー画面から追加します。",
        ko: "Lectern은 이미 설정되었습니다. 강사는 관리자가 사용자 화면에서 추가합니다.",
    }
    field_setup_code { en: "Setup code", ja: "セットアップコード", ko: "설정 코드" }
    err_wrong_setup_code {
        en: "This is not the setup code in the server's log.",
        ja: "サーバーログのセットアップコードと一致しません。",
        ko: "서버 로그의 설정 코드와 다릅니다.",
    }
    change_password { en: "Change password", ja: "パスワードの変更", ko: "비밀번호 변경" }
    field_current_password { en: "Current password", ja: "現在のパスワード", ko: "현재 비밀번호" }
    field_new_password { en: "New password", ja: "新しいパスワード", ko: "새 비밀번호" }
    password_changed {
        en: "Password changed. Your other devices are signed out.",
        ja: "パスワードを変更しました。他の端末はログアウトされました。",
        ko: "비밀번호를 변경했습니다. 다른 기기는 로그아웃되었습니다.",
    }
    sessions_title { en: "Where you are signed in", ja: "ログイン中の端末", ko: "로그인된 기기" }
    session_current { en: "This device", ja: "この端末", ko: "이 기기" }
    session_revoke { en: "Sign out", ja: "ログアウト", ko: "로그아웃" }
    sessions_revoke_others { en: "Sign out all other devices", ja: "他のすべての端末からログアウト", ko: "다른 모든 기기에서 로그아웃" }
    session_started { en: "Signed in", ja: "ログイン", ko: "로그인" }
    session_last_seen { en: "Last active", ja: "最終利用", ko: "마지막 활동" }
    unknown_device { en: "Unknown device", ja: "不明な端末", ko: "알 수 없는 기기" }
    err_wrong_password { en: "This is not your current password.", ja: "現在のパスワードが正しくありません。", ko: "현재 비밀번호가 올바르지 않습니다." }
    outbox_title { en: "Outbox", ja: "送信メール", ko: "보낸 메일함" }
    outbox_lead {
        en: "Mail Lectern sent, or keeps here when no SMTP server is configured. Pass links on to the people they are for.",
        ja: "Lectern が送信したメールです。SMTP が未設定の場合はここに保存されます。リンクを本人に伝えてください。",
        ko: "Lectern이 보낸 메일입니다. SMTP가 설정되지 않으면 여기에 보관됩니다. 링크를 당사자에게 전달하세요.",
    }
    outbox_empty { en: "No mail yet.", ja: "メールはまだありません。", ko: "아직 메일이 없습니다." }
    outbox_sent { en: "sent", ja: "送信済み", ko: "발송됨" }
    outbox_not_sent { en: "not sent (no SMTP)", ja: "未送信（SMTP なし）", ko: "미발송 (SMTP 없음)" }
    not_allowed { en: "You are not allowed to see this page.", ja: "このページを表示する権限がありません。", ko: "이 페이지를 볼 권한이 없습니다." }
    forgot_link { en: "Forgot your password?", ja: "パスワードをお忘れですか？", ko: "비밀번호를 잊으셨나요?" }
    forgot_title { en: "Reset your password", ja: "パスワードの再設定", ko: "비밀번호 재설정" }
    forgot_lead {
        en: "Enter your account's email. We will send a link that works once, for one hour.",
        ja: "アカウントのメールアドレスを入力してください。1時間有効な1回限りのリンクを送ります。",
        ko: "계정 이메일을 입력하세요. 1시간 동안 한 번만 쓸 수 있는 링크를 보냅니다.",
    }
    forgot_submit { en: "Send reset link", ja: "再設定リンクを送信", ko: "재설정 링크 보내기" }
    forgot_sent {
        en: "If an account uses this email, a reset link is on its way. Ask your instructor if it does not arrive.",
        ja: "このメールアドレスのアカウントがあれば、再設定リンクを送りました。届かない場合は講師に相談してください。",
        ko: "이 이메일을 쓰는 계정이 있으면 재설정 링크를 보냈습니다. 도착하지 않으면 강사에게 문의하세요.",
    }
    reset_title { en: "Choose a new password", ja: "新しいパスワードの設定", ko: "새 비밀번호 설정" }
    reset_submit { en: "Set new password", ja: "パスワードを設定", ko: "비밀번호 설정" }
    reset_link_invalid {
        en: "This link has expired or was already used.",
        ja: "このリンクは期限切れか、既に使用されています。",
        ko: "이 링크는 만료되었거나 이미 사용되었습니다.",
    }
    reset_request_again { en: "Request a new link", ja: "新しいリンクを依頼する", ko: "새 링크 요청하기" }
    reset_done {
        en: "Your password was changed. Sign in with the new one.",
        ja: "パスワードを変更しました。新しいパスワードでログインしてください。",
        ko: "비밀번호가 변경되었습니다. 새 비밀번호로 로그인하세요.",
    }
    reset_mail_subject { en: "Reset your Lectern password", ja: "Lectern パスワードの再設定", ko: "Lectern 비밀번호 재설정" }
    reset_mail_body {
        en: "Hello {name},\n\nSomeone asked to reset the password of your Lectern account. To choose a new password, open this link within an hour:\n\n{link}\n\nIf it was not you, ignore this message; your password stays as it is.",
        ja: "{name} さん\n\nLectern アカウントのパスワード再設定が依頼されました。1時間以内に次のリンクを開いて新しいパスワードを設定してください:\n\n{link}\n\n心当たりがない場合はこのメールを無視してください。パスワードは変わりません。",
        ko: "{name} 님\n\nLectern 계정의 비밀번호 재설정이 요청되었습니다. 1시간 안에 다음 링크를 열어 새 비밀번호를 설정하세요:\n\n{link}\n\n본인이 요청하지 않았다면 이 메일을 무시하세요. 비밀번호는 그대로입니다.",
    }
    err_invalid_reset_link {
        en: "This link has expired or was already used. Request a new one.",
        ja: "このリンクは期限切れか使用済みです。新しいリンクを依頼してください。",
        ko: "이 링크는 만료되었거나 사용되었습니다. 새 링크를 요청하세요.",
    }
    tokens_title { en: "API tokens", ja: "API トークン", ko: "API 토큰" }
    tokens_lead {
        en: "For scripts and tools: a token acts with your rights on Lectern's JSON API. Revoke any you no longer use.",
        ja: "スクリプトやツール用です。トークンはあなたの権限で JSON API を使えます。使わないものは無効にしてください。",
        ko: "스크립트와 도구용입니다. 토큰은 내 권한으로 JSON API를 사용합니다. 쓰지 않는 토큰은 폐기하세요.",
    }
    token_name { en: "Token name", ja: "トークン名", ko: "토큰 이름" }
    token_create { en: "Create token", ja: "トークンを作成", ko: "토큰 만들기" }
    token_created {
        en: "Copy this token now; it will not be shown again:",
        ja: "このトークンを今コピーしてください。二度と表示されません:",
        ko: "지금 이 토큰을 복사하세요. 다시 표시되지 않습니다:",
    }
    token_revoke { en: "Revoke", ja: "無効にする", ko: "폐기" }
    token_never_used { en: "never used", ja: "未使用", ko: "사용 안 함" }
    tokens_none { en: "No tokens.", ja: "トークンはありません。", ko: "토큰이 없습니다." }
    users_title { en: "Users", ja: "ユーザー", ko: "사용자" }
    users_search { en: "Search", ja: "検索", ko: "검색" }
    users_count { en: "Users found: {n}", ja: "該当ユーザー: {n} 人", ko: "검색된 사용자: {n}명" }
    admin_nav { en: "Administration", ja: "管理", ko: "관리" }
    filter_any { en: "Any", ja: "すべて", ko: "전체" }
    field_status { en: "Status", ja: "状態", ko: "상태" }
    field_auth_type { en: "Sign-in", ja: "ログイン方法", ko: "로그인 방식" }
    field_authorizations { en: "Extra permissions", ja: "追加権限", ko: "추가 권한" }
    authorizations_hint {
        en: "One per line, e.g. reports.view. Lower-case letters, digits, _ . : only.",
        ja: "1行に1つ（例: reports.view）。小文字・数字・_ . : のみ。",
        ko: "한 줄에 하나씩 (예: reports.view). 소문자, 숫자, _ . : 만 사용.",
    }
    status_active { en: "Active", ja: "有効", ko: "활성" }
    status_suspended { en: "Suspended", ja: "停止中", ko: "정지됨" }
    status_pending { en: "Pending", ja: "保留中", ko: "대기 중" }
    status_archived { en: "Archived", ja: "アーカイブ", ko: "보관됨" }
    status_deleted { en: "Deactivated", ja: "無効化", ko: "비활성화됨" }
    pagination { en: "Pages", ja: "ページ", ko: "페이지" }
    page_previous { en: "Previous", ja: "前へ", ko: "이전" }
    page_next { en: "Next", ja: "次へ", ko: "다음" }
    create_account { en: "Create an account", ja: "アカウントを作成", ko: "계정 만들기" }
    create_account_lead {
        en: "The person gets an email with a link to choose their password, valid for seven days.",
        ja: "本人にパスワード設定用のリンク（7日間有効）をメールで送ります。",
        ko: "당사자에게 비밀번호를 정하는 링크(7일간 유효)를 이메일로 보냅니다.",
    }
    account_created {
        en: "Account created. The set-password link was sent (or is in the outbox).",
        ja: "アカウントを作成しました。パスワード設定リンクを送信しました（または送信メールにあります）。",
        ko: "계정을 만들었습니다. 비밀번호 설정 링크를 보냈습니다(또는 보낸 메일함에 있습니다).",
    }
    audit_created { en: "Created", ja: "作成", ko: "생성" }
    audit_updated { en: "Updated", ja: "更新", ko: "수정" }
    audit_last_login { en: "Last sign-in", ja: "最終ログイン", ko: "마지막 로그인" }
    save { en: "Save", ja: "保存", ko: "저장" }
    saved { en: "Saved.", ja: "保存しました。", ko: "저장했습니다." }
    deactivate_user { en: "Deactivate this account", ja: "このアカウントを無効化", ko: "이 계정 비활성화" }
    settings_title { en: "Site settings", ja: "サイト設定", ko: "사이트 설정" }
    signup_policy { en: "Who may create an account", ja: "アカウントを作成できる人", ko: "계정을 만들 수 있는 사람" }
    signup_open { en: "Anyone, as a student", ja: "誰でも（学生として）", ko: "누구나 (학생으로)" }
    signup_invite { en: "Only people an administrator invites", ja: "管理者が招待した人のみ", ko: "관리자가 초대한 사람만" }
    signup_closed { en: "Nobody (closed)", ja: "誰も作成できない（停止）", ko: "아무도 (닫힘)" }
    nav_admin { en: "Users", ja: "ユーザー", ko: "사용자" }
    invite_mail_subject { en: "Your Lectern account", ja: "Lectern アカウントのご案内", ko: "Lectern 계정 안내" }
    invite_mail_body {
        en: "Hello {name},\n\nAn account was created for you on Lectern. Choose your password with this link within seven days:\n\n{link}",
        ja: "{name} さん\n\nLectern のアカウントが作成されました。7日以内に次のリンクからパスワードを設定してください:\n\n{link}",
        ko: "{name} 님\n\nLectern 계정이 만들어졌습니다. 7일 안에 다음 링크에서 비밀번호를 정하세요:\n\n{link}",
    }
    err_signup_closed { en: "Sign-up is closed on this server.", ja: "このサーバーでは新規登録を受け付けていません。", ko: "이 서버는 가입을 받지 않습니다." }
    err_signup_invite_only {
        en: "Accounts are created by an administrator here; ask your instructor for an invitation.",
        ja: "アカウントは管理者が作成します。講師に招待を依頼してください。",
        ko: "계정은 관리자가 만듭니다. 강사에게 초대를 요청하세요.",
    }
    err_cannot_change_self {
        en: "You cannot change your own role or status; ask another administrator.",
        ja: "自分の役割や状態は変更できません。別の管理者に依頼してください。",
        ko: "자신의 역할이나 상태는 바꿀 수 없습니다. 다른 관리자에게 요청하세요.",
    }
    err_invalid_permission {
        en: "Use lower-case letters, digits, _ . : only, one permission per line.",
        ja: "小文字・数字・_ . : のみを使い、1行に1つ書いてください。",
        ko: "소문자, 숫자, _ . : 만 사용하고 한 줄에 하나씩 쓰세요.",
    }
    kakao_sign_in { en: "Sign in with Kakao", ja: "Kakao でログイン", ko: "카카오로 로그인" }
    kakao_link { en: "Link Kakao to this account", ja: "この アカウントに Kakao を連携", ko: "이 계정에 카카오 연결" }
    kakao_unlink { en: "Unlink Kakao", ja: "Kakao の連携を解除", ko: "카카오 연결 해제" }
    kakao_linked { en: "Kakao is linked: you can sign in with it.", ja: "Kakao が連携されています。Kakao でログインできます。", ko: "카카오가 연결되어 있어 카카오로 로그인할 수 있습니다." }
    kakao_title { en: "Kakao", ja: "Kakao", ko: "카카오" }
    kakao_denied { en: "Kakao sign-in was cancelled.", ja: "Kakao ログインがキャンセルされました。", ko: "카카오 로그인이 취소되었습니다." }
    kakao_failed {
        en: "Kakao sign-in did not work. Try again, or sign in with your email.",
        ja: "Kakao ログインに失敗しました。もう一度試すか、メールアドレスでログインしてください。",
        ko: "카카오 로그인에 실패했습니다. 다시 시도하거나 이메일로 로그인하세요.",
    }
    kakao_state_mismatch {
        en: "That Kakao sign-in link was out of date. Start again from this page.",
        ja: "Kakao ログインの有効期限が切れました。このページからやり直してください。",
        ko: "카카오 로그인 요청이 만료되었습니다. 이 페이지에서 다시 시작하세요.",
    }
    kakao_linked_elsewhere {
        en: "This Kakao account is already linked to another Lectern account.",
        ja: "この Kakao アカウントは別の Lectern アカウントに連携済みです。",
        ko: "이 카카오 계정은 이미 다른 Lectern 계정에 연결되어 있습니다.",
    }
    err_kakao_only_sign_in {
        en: "Set a password first: Kakao is your only way to sign in.",
        ja: "先にパスワードを設定してください。Kakao が唯一のログイン方法です。",
        ko: "먼저 비밀번호를 설정하세요. 카카오가 유일한 로그인 방법입니다.",
    }
    err_invalid { en: "Check this field.", ja: "この項目を確認してください。", ko: "이 항목을 확인하세요." }
    error_try_again {
        en: "That did not work; please try again in a moment.",
        ja: "処理できませんでした。少し待ってからもう一度お試しください。",
        ko: "처리하지 못했습니다. 잠시 후 다시 시도하세요.",
    }
    error_rate_limited {
        en: "Too many attempts. Wait a few minutes, then try again.",
        ja: "試行回数が多すぎます。数分待ってから再度お試しください。",
        ko: "시도 횟수가 너무 많습니다. 몇 분 후 다시 시도하세요.",
    }

    time_just_now { en: "just now", ja: "たった今", ko: "방금" }
    time_seconds_ago { en: "{n} seconds ago", ja: "{n}秒前", ko: "{n}초 전" }
    time_minute_ago { en: "1 minute ago", ja: "1分前", ko: "1분 전" }
    time_minutes_ago { en: "{n} minutes ago", ja: "{n}分前", ko: "{n}분 전" }
    time_hour_ago { en: "1 hour ago", ja: "1時間前", ko: "1시간 전" }
    time_hours_ago { en: "{n} hours ago", ja: "{n}時間前", ko: "{n}시간 전" }
    time_day_ago { en: "yesterday", ja: "昨日", ko: "어제" }
    time_days_ago { en: "{n} days ago", ja: "{n}日前", ko: "{n}일 전" }
    time_in_future { en: "in the future", ja: "未来の時刻", ko: "미래 시각" }

    // Courses, classes, lectures, attendance, certificates.
    nav_classes { en: "Classes", ja: "クラス", ko: "반" }
    nav_courses { en: "Courses", ja: "コース", ko: "과정" }
    nav_progress { en: "My progress", ja: "学習状況", ko: "내 진도" }
    nav_teach { en: "Teach", ja: "授業", ko: "수업" }
    actions { en: "Actions", ja: "操作", ko: "작업" }
    approve { en: "Approve", ja: "承認", ko: "승인" }
    reject { en: "Reject", ja: "却下", ko: "거절" }
    remove { en: "Remove", ja: "削除", ko: "제거" }
    inactive { en: "Inactive", ja: "無効", ko: "비활성" }
    archived { en: "Archived", ja: "アーカイブ済み", ko: "보관됨" }
    audit_line {
        en: "Created {created} · last changed {updated}",
        ja: "作成 {created} · 最終更新 {updated}",
        ko: "생성 {created} · 마지막 변경 {updated}",
    }
    students_count { en: "Students: {n}", ja: "学生 {n} 人", ko: "학생 {n}명" }
    field_title { en: "Title", ja: "タイトル", ko: "제목" }
    field_description { en: "Description", ja: "説明", ko: "설명" }
    field_keyword { en: "Keyword", ja: "キーワード", ko: "키워드" }
    courses_title { en: "Courses", ja: "コース", ko: "과정" }
    courses_search { en: "Search by title or keyword", ja: "タイトルまたはキーワードで検索", ko: "제목 또는 키워드로 검색" }
    courses_include_inactive { en: "Include inactive courses", ja: "無効なコースも表示", ko: "비활성 과정 포함" }
    courses_count { en: "Courses found: {n}", ja: "{n} 件のコース", ko: "과정 {n}개" }
    course_title { en: "Course", ja: "コース", ko: "과정" }
    course_new { en: "New course", ja: "新しいコース", ko: "새 과정" }
    course_create { en: "Create course", ja: "コースを作成", ko: "과정 만들기" }
    course_edit { en: "Edit course", ja: "コースを編集", ko: "과정 편집" }
    course_deactivate { en: "Deactivate course", ja: "コースを無効にする", ko: "과정 비활성화" }
    course_reactivate { en: "Reactivate course", ja: "コースを再び有効にする", ko: "과정 다시 활성화" }
    course_inactive_note {
        en: "This course is inactive: it takes no new classes and its codes do not let anyone join.",
        ja: "このコースは無効です。新しいクラスは作れず、参加コードでも参加できません。",
        ko: "이 과정은 비활성 상태입니다. 새 반을 만들 수 없고 참여 코드로도 참여할 수 없습니다.",
    }
    classes_title { en: "Classes", ja: "クラス", ko: "반" }
    class_title { en: "Class", ja: "クラス", ko: "반" }
    class_new { en: "New class", ja: "新しいクラス", ko: "새 반" }
    class_create { en: "Create class", ja: "クラスを作成", ko: "반 만들기" }
    class_settings { en: "Class settings", ja: "クラスの設定", ko: "반 설정" }
    class_instructors { en: "Instructors", ja: "講師", ko: "강사" }
    class_archive { en: "Archive class", ja: "クラスをアーカイブ", ko: "반 보관" }
    class_restore { en: "Restore class", ja: "クラスを元に戻す", ko: "반 복원" }
    class_archived_note {
        en: "This class is archived: its join code no longer works.",
        ja: "このクラスはアーカイブ済みです。参加コードは使えません。",
        ko: "이 반은 보관되었습니다. 참여 코드를 더 이상 쓸 수 없습니다.",
    }
    class_copy { en: "Copy class with its roster", ja: "名簿ごとクラスをコピー", ko: "명단과 함께 반 복사" }
    class_copy_title { en: "Title of the copy", ja: "コピーのタイトル", ko: "복사본 제목" }
    field_subject { en: "Subject", ja: "科目", ko: "과목" }
    field_subject_hint {
        en: "Its first letters start the join code, e.g. MATH-7KQ-P3X.",
        ja: "先頭の英字が参加コードの頭になります(例: MATH-7KQ-P3X)。",
        ko: "앞 글자가 참여 코드의 앞부분이 됩니다(예: MATH-7KQ-P3X).",
    }
    field_lecturer_info { en: "Lecturer", ja: "講師情報", ko: "강사 정보" }
    field_date_info { en: "Schedule", ja: "日程", ko: "일정" }
    field_date_info_hint { en: "For example: Mondays and Wednesdays, 9:00", ja: "例: 毎週月・水 9:00", ko: "예: 매주 월·수 9:00" }
    field_begins_on { en: "Begins on", ja: "開始日", ko: "시작일" }
    field_ends_on { en: "Ends on", ja: "終了日", ko: "종료일" }
    field_join_approval {
        en: "Students who join by code wait for an instructor's approval",
        ja: "コードで参加した学生は講師の承認を待つ",
        ko: "코드로 참여한 학생은 강사의 승인을 기다림",
    }
    my_classes_title { en: "My classes", ja: "マイクラス", ko: "내 반" }
    classes_teaching { en: "Classes I teach", ja: "担当クラス", ko: "담당 반" }
    classes_attending { en: "Classes I attend", ja: "受講中のクラス", ko: "수강 중인 반" }
    classes_waiting { en: "Waiting for approval", ja: "承認待ち", ko: "승인 대기 중" }
    classes_none { en: "No classes yet. Join one with the code your teacher gives you.", ja: "まだクラスがありません。先生から受け取ったコードで参加してください。", ko: "아직 반이 없습니다. 선생님이 알려 준 코드로 참여하세요." }
    join_title { en: "Join a class", ja: "クラスに参加", ko: "반 참여" }
    join_lead { en: "Type the code your teacher shows, like MATH-7KQ-P3X.", ja: "先生が示すコード(例: MATH-7KQ-P3X)を入力してください。", ko: "선생님이 보여 주는 코드(예: MATH-7KQ-P3X)를 입력하세요." }
    join_code { en: "Join code", ja: "参加コード", ko: "참여 코드" }
    join_button { en: "Join", ja: "参加する", ko: "참여" }
    join_done { en: "You have joined the class.", ja: "クラスに参加しました。", ko: "반에 참여했습니다." }
    join_waiting { en: "Your request is waiting for the instructor's approval.", ja: "講師の承認を待っています。", ko: "강사의 승인을 기다리고 있습니다." }
    join_already { en: "You are already in this class.", ja: "すでにこのクラスに参加しています。", ko: "이미 이 반에 참여하고 있습니다." }
    join_open { en: "Anyone with the code joins at once.", ja: "コードを知っていればすぐに参加できます。", ko: "코드가 있으면 바로 참여합니다." }
    join_needs_approval { en: "Students who join wait for your approval.", ja: "参加した学生はあなたの承認を待ちます。", ko: "참여한 학생은 승인을 기다립니다." }
    join_code_regenerate { en: "New join code", ja: "参加コードを作り直す", ko: "참여 코드 새로 만들기" }
    join_requests { en: "Waiting to join", ja: "参加待ち", ko: "참여 대기" }
    ingest_token { en: "Notebook client token", ja: "ノートブック連携トークン", ko: "노트북 클라이언트 토큰" }
    ingest_token_lead {
        en: "Students' notebooks send their cell runs with this token (LECTERN_TOKEN).",
        ja: "学生のノートブックはこのトークン(LECTERN_TOKEN)でセルの実行を送ります。",
        ko: "학생의 노트북은 이 토큰(LECTERN_TOKEN)으로 셀 실행을 보냅니다.",
    }
    ingest_token_rotate { en: "Replace token", ja: "トークンを再発行", ko: "토큰 다시 발급" }
    instructor_add_email { en: "Add an instructor by email", ja: "メールアドレスで講師を追加", ko: "이메일로 강사 추가" }
    instructor_add { en: "Add instructor", ja: "講師を追加", ko: "강사 추가" }
    roster_title { en: "Roster", ja: "名簿", ko: "명단" }
    roster_empty {
        en: "No students yet: share the join code, add them by email, or request accounts for them.",
        ja: "まだ学生がいません。参加コードを共有するか、メールアドレスで追加するか、アカウントを申請してください。",
        ko: "아직 학생이 없습니다. 참여 코드를 공유하거나, 이메일로 추가하거나, 계정을 요청하세요.",
    }
    roster_add_email { en: "Add a student by email", ja: "メールアドレスで学生を追加", ko: "이메일로 학생 추가" }
    roster_add { en: "Add student", ja: "学生を追加", ko: "학생 추가" }
    accounts_request { en: "Request accounts for students", ja: "学生アカウントを申請", ko: "학생 계정 요청" }
    accounts_request_list { en: "Students, one per line", ja: "学生(1行に1人)", ko: "학생(한 줄에 한 명)" }
    accounts_request_hint {
        en: "Name, comma, email: Mina Park, mina@example.edu. A pasted spreadsheet (first name, last name, email) works too. An administrator approves; each student gets a link to choose a password.",
        ja: "名前、カンマ、メール: 山田 花子, hanako@example.edu。表計算ソフトからの貼り付け(名・姓・メール)も使えます。管理者が承認すると、各学生にパスワード設定用のリンクが届きます。",
        ko: "이름, 쉼표, 이메일: 박 민아, mina@example.edu. 스프레드시트(이름, 성, 이메일)를 붙여 넣어도 됩니다. 관리자가 승인하면 학생마다 비밀번호 설정 링크를 받습니다.",
    }
    accounts_request_send { en: "Send request", ja: "申請する", ko: "요청 보내기" }
    accounts_requested { en: "Accounts requested: {n}.", ja: "{n} 件のアカウントを申請しました。", ko: "계정 {n}개를 요청했습니다." }
    account_requests_title { en: "Account requests", ja: "アカウント申請", ko: "계정 요청" }
    account_requests_lead {
        en: "Approving makes the student account, adds it to the class and sends a set-password link.",
        ja: "承認すると学生アカウントが作成され、クラスに追加され、パスワード設定用のリンクが送られます。",
        ko: "승인하면 학생 계정이 만들어져 반에 추가되고 비밀번호 설정 링크가 전송됩니다.",
    }
    account_requests_none { en: "No requests are waiting.", ja: "待機中の申請はありません。", ko: "대기 중인 요청이 없습니다." }
    lectures_title { en: "Lectures", ja: "講義", ko: "강의" }
    lectures_none { en: "No lectures.", ja: "講義はありません。", ko: "강의가 없습니다." }
    lecture_new { en: "New lecture", ja: "新しい講義", ko: "새 강의" }
    lecture_create { en: "Add lecture", ja: "講義を追加", ko: "강의 추가" }
    lecture_edit { en: "Edit lecture", ja: "講義を編集", ko: "강의 편집" }
    lecture_delete { en: "Delete lecture and its attendance", ja: "講義と出席記録を削除", ko: "강의와 출석 기록 삭제" }
    lecture_counts {
        en: "{present} present, {late} late, {absent} absent of {expected}",
        ja: "{expected} 人中 出席 {present}・遅刻 {late}・欠席 {absent}",
        ko: "{expected}명 중 출석 {present}, 지각 {late}, 결석 {absent}",
    }
    field_sequence { en: "Number", ja: "回", ko: "회차" }
    field_sequence_hint { en: "Empty: after the last one", ja: "空欄なら最後の次", ko: "비우면 마지막 다음" }
    field_starts_at { en: "Starts at", ja: "開始日時", ko: "시작 일시" }
    field_duration { en: "Minutes", ja: "時間(分)", ko: "시간(분)" }
    field_attendance_type { en: "Attendance", ja: "出席の取り方", ko: "출석 방식" }
    attendance_type_manual { en: "Marked by the instructor", ja: "講師が記録", ko: "강사가 기록" }
    attendance_type_self { en: "Students check in with a code", ja: "学生がコードでチェックイン", ko: "학생이 코드로 체크인" }
    attendance_title { en: "Attendance", ja: "出席", ko: "출석" }
    attendance_rate { en: "Attendance", ja: "出席率", ko: "출석률" }
    attendance_sheet { en: "Attendance sheet", ja: "出席簿", ko: "출석부" }
    attendance_sheet_lead {
        en: "Everyone not yet marked starts as present: change only the exceptions (Tab to a student, arrow keys to choose), then save.",
        ja: "未記録の学生は出席として表示されます。例外だけを変更して(Tab で移動、矢印キーで選択)保存してください。",
        ko: "아직 기록되지 않은 학생은 출석으로 시작합니다. 예외만 바꾸고(Tab으로 이동, 화살표 키로 선택) 저장하세요.",
    }
    attendance_status { en: "Status", ja: "状態", ko: "상태" }
    attendance_detail { en: "Detail", ja: "詳細区分", ko: "세부 유형" }
    attendance_note { en: "Note", ja: "メモ", ko: "메모" }
    attendance_present { en: "Present", ja: "出席", ko: "출석" }
    attendance_absent { en: "Absent", ja: "欠席", ko: "결석" }
    attendance_late { en: "Late", ja: "遅刻", ko: "지각" }
    attendance_unmarked { en: "Not marked", ja: "未記録", ko: "미기록" }
    attendance_enrolled_later { en: "(joined after it started)", ja: "(開始後に参加)", ko: "(시작 후 참여)" }
    attendance_save { en: "Save attendance", ja: "出席を保存", ko: "출석 저장" }
    check_in_title { en: "Check in", ja: "チェックイン", ko: "체크인" }
    check_in_lead { en: "Type the six-digit code shown in the room.", ja: "教室に表示されている6桁のコードを入力してください。", ko: "교실에 보이는 6자리 코드를 입력하세요." }
    check_in_code { en: "Code", ja: "コード", ko: "코드" }
    check_in_button { en: "Check in", ja: "チェックイン", ko: "체크인" }
    check_in_done { en: "You are checked in to {lecture}.", ja: "{lecture} にチェックインしました。", ko: "{lecture}에 체크인했습니다." }
    check_in_open { en: "Open check-in", ja: "チェックインを開始", ko: "체크인 시작" }
    check_in_close { en: "Close check-in", ja: "チェックインを終了", ko: "체크인 종료" }
    check_in_minutes { en: "Minutes open", ja: "受付時間(分)", ko: "열어 둘 시간(분)" }
    check_in_code_lead { en: "Students go to /checkin and type:", ja: "学生は /checkin を開いて次を入力します:", ko: "학생은 /checkin에서 다음을 입력합니다:" }
    check_in_open_until { en: "Open until {time}. The code changes every 30 seconds.", ja: "{time} まで受付中。コードは30秒ごとに変わります。", ko: "{time}까지 열려 있습니다. 코드는 30초마다 바뀝니다." }
    checked_in { en: "checked in", ja: "チェックイン", ko: "체크인" }
    checked_in_count { en: "Checked in: {n}", ja: "{n} 人がチェックイン済み", ko: "{n}명 체크인" }
    certificates_title { en: "Certificates", ja: "修了証", ko: "수료증" }
    certificates_none { en: "No certificates yet.", ja: "修了証はまだありません。", ko: "아직 수료증이 없습니다." }
    certificates_min_rate { en: "Minimum attendance (%)", ja: "最低出席率(%)", ko: "최소 출석률(%)" }
    certificates_issue_bulk { en: "Issue to everyone above it", ja: "基準以上の全員に発行", ko: "기준 이상 모두에게 발급" }
    certificates_issued { en: "Certificates issued: {n}.", ja: "{n} 件の修了証を発行しました。", ko: "수료증 {n}개를 발급했습니다." }
    certificates_issue_one { en: "Issue one certificate", ja: "個別に発行", ko: "개별 발급" }
    certificates_student { en: "Student", ja: "学生", ko: "학생" }
    certificates_classes { en: "Completed classes", ja: "修了したクラス", ko: "수료한 반" }
    certificates_issue { en: "Issue certificate", ja: "修了証を発行", ko: "수료증 발급" }
    certificates_issued_at { en: "Issued", ja: "発行日", ko: "발급일" }
    certificate_title { en: "Certificate", ja: "修了証", ko: "수료증" }
    certificate_heading { en: "Certificate of completion", ja: "修了証書", ko: "수료증" }
    certificate_completed { en: "has completed the course", ja: "は次のコースを修了しました", ko: "님은 다음 과정을 수료했습니다" }
    certificate_issued_on { en: "Issued {date}", ja: "発行日 {date}", ko: "발급일 {date}" }
    certificate_id { en: "Certificate number", ja: "証書番号", ko: "증서 번호" }
    certificate_verify_link { en: "Verification page", ja: "検証ページ", ko: "확인 페이지" }
    verify_title { en: "Certificate verification", ja: "修了証の検証", ko: "수료증 확인" }
    verify_valid { en: "This certificate is genuine.", ja: "この修了証は本物です。", ko: "이 수료증은 진본입니다." }
    verify_unknown { en: "No certificate has this number.", ja: "この番号の修了証はありません。", ko: "이 번호의 수료증이 없습니다." }
    verify_holder { en: "Issued to", ja: "取得者", ko: "수료자" }
    verify_course { en: "Course", ja: "コース", ko: "과정" }
    verify_issued_by { en: "Issued by", ja: "発行者", ko: "발급자" }
    csv_counted { en: "Lectures counted", ja: "対象の講義", ko: "대상 강의" }
    attendance_download { en: "Download attendance (CSV)", ja: "出席をダウンロード(CSV)", ko: "출석 내려받기(CSV)" }
    attendance_chart { en: "Attendance per lecture", ja: "講義ごとの出席率", ko: "강의별 출석률" }
    progress_title { en: "Progress", ja: "学習状況", ko: "진도" }
    progress_lectures_attended { en: "Lectures attended", ja: "出席した講義", ko: "출석한 강의" }
    teach_title { en: "Teaching", ja: "授業ダッシュボード", ko: "수업 대시보드" }
    teach_students { en: "Students", ja: "学生", ko: "학생" }
    teach_today { en: "Today's lectures", ja: "今日の講義", ko: "오늘의 강의" }
    teach_upcoming { en: "Next seven days", ja: "今後7日間", ko: "앞으로 7일" }
    profile_details { en: "Your details", ja: "プロフィール", ko: "내 정보" }
    interests_title { en: "Interests", ja: "興味のある分野", ko: "관심 분야" }
    interests_lead { en: "Choose one to five.", ja: "1〜5個選んでください。", ko: "1~5개를 고르세요." }
    interests_empty { en: "An administrator has not added any interests yet.", ja: "管理者がまだ分野を登録していません。", ko: "관리자가 아직 관심 분야를 추가하지 않았습니다." }
    interest_new { en: "New interest", ja: "新しい分野", ko: "새 관심 분야" }
    interest_add { en: "Add", ja: "追加", ko: "추가" }
    interest_retire { en: "Retire", ja: "停止", ko: "중지" }
    interest_restore { en: "Restore", ja: "再開", ko: "복원" }
    err_invalid_date { en: "Enter a valid date.", ja: "正しい日付を入力してください。", ko: "올바른 날짜를 입력하세요." }
    err_ends_before_start { en: "The end is before the start.", ja: "終了日が開始日より前です。", ko: "종료일이 시작일보다 앞입니다." }
    err_invalid_number { en: "Enter a number in the allowed range.", ja: "範囲内の数値を入力してください。", ko: "허용 범위의 숫자를 입력하세요." }
    err_invalid_choice { en: "Choose one of the options.", ja: "選択肢から選んでください。", ko: "선택지 중에서 고르세요." }
    err_course_inactive { en: "This course is inactive.", ja: "このコースは無効です。", ko: "이 과정은 비활성 상태입니다." }
    err_no_such_user { en: "No active account has this email.", ja: "このメールアドレスの有効なアカウントはありません。", ko: "이 이메일의 활성 계정이 없습니다." }
    err_not_an_instructor { en: "This account is not an instructor.", ja: "このアカウントは講師ではありません。", ko: "이 계정은 강사가 아닙니다." }
    err_not_a_student { en: "This account is not a student.", ja: "このアカウントは学生ではありません。", ko: "이 계정은 학생이 아닙니다." }
    err_unknown_join_code { en: "No class has this code. Check it with your teacher.", ja: "このコードのクラスはありません。先生に確認してください。", ko: "이 코드의 반이 없습니다. 선생님께 확인하세요." }
    err_class_closed { en: "This class no longer takes new students.", ja: "このクラスは新しい学生を受け付けていません。", ko: "이 반은 더 이상 새 학생을 받지 않습니다." }
    err_students_only { en: "Only student accounts join classes by code.", ja: "コードで参加できるのは学生アカウントだけです。", ko: "코드로 참여하는 것은 학생 계정뿐입니다." }
    err_not_on_roster { en: "A student on the sheet is not in this class.", ja: "このクラスにいない学生が含まれています。", ko: "이 반에 없는 학생이 포함되어 있습니다." }
    err_wrong_check_in_code { en: "This code is not open for any of your classes. Check the screen and try again.", ja: "このコードで受付中の講義はありません。画面を確認してもう一度入力してください。", ko: "이 코드로 열린 강의가 없습니다. 화면을 확인하고 다시 입력하세요." }
    err_not_in_course { en: "The student was not in these classes of the course.", ja: "この学生はコースの該当クラスに所属していません。", ko: "이 학생은 과정의 해당 반에 속해 있지 않았습니다." }
    err_duplicate_interest { en: "Each interest can be chosen once.", ja: "同じ分野は一度しか選べません。", ko: "같은 관심 분야는 한 번만 고를 수 있습니다." }
    err_choose_one_to_five { en: "Choose between one and five interests.", ja: "1〜5個選んでください。", ko: "1~5개를 고르세요." }
    err_invalid_line { en: "Each line needs a name and an email, like: Mina Park, mina@example.edu", ja: "各行に名前とメールアドレスが必要です(例: 山田 花子, hanako@example.edu)。", ko: "각 줄에 이름과 이메일이 필요합니다(예: 박 민아, mina@example.edu)." }
    err_duplicate_email { en: "The same email appears twice.", ja: "同じメールアドレスが2回あります。", ko: "같은 이메일이 두 번 있습니다." }
    err_too_many { en: "Too many at once: send at most 200.", ja: "一度に多すぎます(最大200件)。", ko: "한 번에 너무 많습니다(최대 200개)." }

    // The live classroom.
    live_title { en: "Live classroom", ja: "ライブ教室", ko: "라이브 교실" }
    live_open { en: "Open the live classroom", ja: "ライブ教室を開く", ko: "라이브 교실 열기" }
    live_connection_live { en: "Live", ja: "ライブ", ko: "실시간" }
    live_connection_connecting { en: "Connecting…", ja: "接続中…", ko: "연결 중…" }
    live_connection_offline { en: "Offline: reconnecting…", ja: "オフライン: 再接続中…", ko: "오프라인: 다시 연결 중…" }
    live_noscript { en: "Live updates need JavaScript; reload the page to refresh.", ja: "ライブ更新にはJavaScriptが必要です。再読み込みで最新になります。", ko: "실시간 업데이트에는 JavaScript가 필요합니다. 새로 고침하면 최신이 됩니다." }
    live_metric_students { en: "Students", ja: "学生", ko: "학생" }
    live_metric_active { en: "Active", ja: "アクティブ", ko: "활동 중" }
    live_metric_errors { en: "Stuck on errors", ja: "エラーで停滞", ko: "오류로 막힘" }
    live_metric_help { en: "Asking for help", ja: "ヘルプ要求", ko: "도움 요청" }
    live_metric_executions { en: "Cells run", ja: "セル実行数", ko: "셀 실행 수" }
    live_chart_title { en: "Activity in the last hour", ja: "直近1時間のアクティビティ", ko: "최근 1시간 활동" }
    live_chart_label { en: "Cells run per minute (bars) and error rate (line) over the last hour: {executions} runs, {errors} errors.", ja: "直近1時間の1分ごとのセル実行数(棒)とエラー率(線): 実行{executions}回、エラー{errors}回。", ko: "최근 1시간의 분당 셀 실행 수(막대)와 오류율(선): 실행 {executions}회, 오류 {errors}회." }
    live_chart_legend { en: "Bars: cells run per minute. Line: share that failed.", ja: "棒: 1分ごとの実行数。線: エラーの割合。", ko: "막대: 분당 실행 수. 선: 실패 비율." }
    live_error_groups { en: "Common errors", ja: "よくあるエラー", ko: "자주 나는 오류" }
    live_error_group_count { en: "{n} students", ja: "{n}人", ko: "{n}명" }
    live_no_errors { en: "No one's last run failed.", ja: "最後の実行でエラーになった学生はいません。", ko: "마지막 실행에서 오류가 난 학생이 없습니다." }
    live_filters { en: "Filter students", ja: "学生を絞り込む", ko: "학생 필터" }
    live_filter_search { en: "Name or email", ja: "名前またはメール", ko: "이름 또는 이메일" }
    live_filter_team { en: "Team", ja: "チーム", ko: "팀" }
    live_filter_status { en: "Status", ja: "状態", ko: "상태" }
    live_filter_all { en: "All", ja: "すべて", ko: "전체" }
    live_status_help { en: "Help", ja: "ヘルプ", ko: "도움 요청" }
    live_status_error { en: "Error", ja: "エラー", ko: "오류" }
    live_status_active { en: "Active", ja: "アクティブ", ko: "활동 중" }
    live_status_inactive { en: "Inactive", ja: "非アクティブ", ko: "비활동" }
    live_students_heading { en: "Students ({shown} of {total})", ja: "学生({total}人中{shown}人)", ko: "학생 ({total}명 중 {shown}명)" }
    live_no_students { en: "No notebook has reported yet. Connect the students' notebooks (below) and their cells appear here as they run them.", ja: "まだノートブックからの報告はありません。下の手順で学生のノートブックを接続すると、セルを実行するたびにここに表示されます。", ko: "아직 노트북 보고가 없습니다. 아래 방법으로 학생의 노트북을 연결하면 셀을 실행할 때마다 여기에 나타납니다." }
    live_no_match { en: "No student matches these filters.", ja: "条件に合う学生はいません。", ko: "조건에 맞는 학생이 없습니다." }
    live_tile_notebook { en: "Notebook", ja: "ノートブック", ko: "노트북" }
    live_tile_executions { en: "Runs", ja: "実行", ko: "실행" }
    live_tile_errors { en: "Errors", ja: "エラー", ko: "오류" }
    live_tile_progress { en: "Progress", ja: "進捗", ko: "진도" }
    live_tile_never { en: "No activity yet", ja: "まだ活動なし", ko: "아직 활동 없음" }
    live_team { en: "Team {team}", ja: "チーム{team}", ko: "{team}팀" }
    live_connect_title { en: "Connect the students' notebooks", ja: "学生のノートブックを接続する", ko: "학생 노트북 연결하기" }
    live_connect_lead { en: "Install the Lectern client where the students' kernels run, and set these variables (each student's own email and name):", ja: "学生のカーネルが動く環境にLecternクライアントを入れ、次の変数を設定します(メールと名前は学生ごと):", ko: "학생 커널이 실행되는 곳에 Lectern 클라이언트를 설치하고 다음 변수를 설정하세요(이메일과 이름은 학생별):" }
    live_connect_extension { en: "Or set the JupyterLab cell-monitor extension's server URL to:", ja: "またはJupyterLabのcell-monitor拡張のサーバーURLに次を設定します:", ko: "또는 JupyterLab cell-monitor 확장의 서버 URL을 다음으로 설정하세요:" }
    live_privacy_title { en: "Privacy", ja: "プライバシー", ko: "개인정보" }
    live_privacy_store_code { en: "Keep the code and output of each run (off: only which cell ran, when, how long, and any error)", ja: "実行ごとのコードと出力を保存する(オフ: どのセルをいつ実行したか、所要時間、エラーのみ)", ko: "실행마다 코드와 출력을 저장(끄면: 어떤 셀을 언제 얼마나 실행했는지와 오류만)" }
    live_privacy_retention { en: "Delete code and output after this many days (blank: keep while the class exists)", ja: "コードと出力をこの日数後に削除(空欄: クラスがある間は保持)", ko: "이 일수가 지나면 코드와 출력을 삭제(비우면: 반이 있는 동안 보관)" }
    live_privacy_save { en: "Save privacy settings", ja: "プライバシー設定を保存", ko: "개인정보 설정 저장" }
    live_privacy_saved { en: "Privacy settings saved.", ja: "プライバシー設定を保存しました。", ko: "개인정보 설정을 저장했습니다." }
    live_student_back { en: "Back to the live classroom", ja: "ライブ教室に戻る", ko: "라이브 교실로 돌아가기" }
    live_successful { en: "Successful runs", ja: "成功した実行", ko: "성공한 실행" }
    live_average_time { en: "Average run time", ja: "平均実行時間", ko: "평균 실행 시간" }
    live_seconds { en: "{n} s", ja: "{n}秒", ko: "{n}초" }
    live_recent { en: "Recent runs", ja: "最近の実行", ko: "최근 실행" }
    live_errors_title { en: "Errors", ja: "エラー", ko: "오류" }
    live_notebooks { en: "Notebooks", ja: "ノートブック", ko: "노트북" }
    live_completion { en: "Completion", ja: "完了率", ko: "완료율" }
    live_last_used { en: "Last used", ja: "最終使用", ko: "마지막 사용" }
    live_cell { en: "Cell", ja: "セル", ko: "셀" }
    live_code { en: "Code", ja: "コード", ko: "코드" }
    live_output { en: "Output", ja: "出力", ko: "출력" }
    live_truncated { en: "Cut at 64 KiB.", ja: "64 KiBで切り詰めました。", ko: "64 KiB에서 잘렸습니다." }
    live_not_stored { en: "This class keeps no code or output.", ja: "このクラスはコードと出力を保存しません。", ko: "이 반은 코드와 출력을 저장하지 않습니다." }
    live_none_yet { en: "Nothing yet.", ja: "まだありません。", ko: "아직 없습니다." }
    my_data_title { en: "What Lectern collects about me", ja: "Lecternが集めている私のデータ", ko: "Lectern이 수집하는 내 정보" }
    my_data_lead { en: "When your notebook is connected to a class, each cell you run is sent to Lectern. This page shows everything about it that the class's instructors can see.", ja: "ノートブックがクラスに接続されていると、実行したセルはLecternに送られます。このページには、クラスの講師が見られる内容がすべて表示されます。", ko: "노트북이 반에 연결되어 있으면 실행한 셀이 Lectern으로 전송됩니다. 이 페이지에는 반의 강사가 볼 수 있는 모든 내용이 표시됩니다." }
    my_data_none { en: "No notebook of yours has reported to any class.", ja: "あなたのノートブックからの報告はまだありません。", ko: "아직 내 노트북에서 보고된 내용이 없습니다." }
    my_data_code_kept { en: "Your code and output are kept while the class exists.", ja: "コードと出力はクラスがある間保存されます。", ko: "코드와 출력은 반이 있는 동안 보관됩니다." }
    my_data_code_kept_days { en: "Your code and output are kept for {days} days, then deleted.", ja: "コードと出力は{days}日間保存され、その後削除されます。", ko: "코드와 출력은 {days}일 동안 보관된 뒤 삭제됩니다." }
    my_data_metadata_only { en: "Only metadata is kept: which cell ran, when, how long, and any error; not your code or output.", ja: "保存されるのはメタデータだけです(どのセルをいつ、どれだけの時間実行したか、エラー)。コードと出力は保存されません。", ko: "메타데이터만 보관됩니다(어떤 셀을 언제, 얼마나 실행했는지와 오류). 코드와 출력은 보관되지 않습니다." }
    nav_my_data { en: "My notebook data", ja: "ノートブックのデータ", ko: "내 노트북 데이터" }
    err_invalid_retention { en: "Enter a number of days from 1 to 3650, or leave it blank.", ja: "1〜3650の日数を入力するか、空欄にしてください。", ko: "1~3650 사이의 일수를 입력하거나 비워 두세요." }

    nav_help { en: "Help", ja: "ヘルプ", ko: "도움 요청" }
    nav_instructors { en: "Instructors", ja: "講師", ko: "강사" }
    presence_available { en: "Available", ja: "対応可能", ko: "응대 가능" }
    presence_in_session { en: "In session", ja: "対応中", ko: "응대 중" }
    presence_break { en: "On break", ja: "休憩中", ko: "휴식 중" }
    presence_offline { en: "Offline", ja: "オフライン", ko: "오프라인" }
    presence_title { en: "Instructors", ja: "講師の状況", ko: "강사 현황" }
    presence_lead { en: "Who is available, who is with a student, and how quickly requests are taken and resolved.", ja: "誰が対応可能か、誰が学生に対応中か、質問がどれだけ早く受け付けられ解決されているかを示します。", ko: "누가 응대 가능한지, 누가 학생을 돕고 있는지, 요청이 얼마나 빨리 접수되고 해결되는지 보여 줍니다." }
    presence_mine { en: "My availability", ja: "自分の対応可否", ko: "내 응대 가능 여부" }
    presence_break_length { en: "Length of a break", ja: "休憩の長さ", ko: "휴식 시간" }
    presence_minutes { en: "{n} min", ja: "{n}分", ko: "{n}분" }
    presence_set { en: "Set", ja: "変更", ko: "변경" }
    presence_break_until { en: "until {time}", ja: "{time}まで", ko: "{time}까지" }
    presence_name { en: "Name", ja: "名前", ko: "이름" }
    presence_status { en: "Status", ja: "ステータス", ko: "상태" }
    presence_sessions { en: "Open sessions", ja: "対応中の件数", ko: "진행 중인 응대" }
    presence_helped { en: "Students helped", ja: "対応した学生", ko: "도운 학생" }
    presence_time_to_take { en: "Average wait before taken", ja: "受付までの平均時間", ko: "접수까지 평균 시간" }
    presence_time_to_resolve { en: "Average time to resolve", ja: "解決までの平均時間", ko: "해결까지 평균 시간" }
    presence_history { en: "Status history", ja: "ステータス履歴", ko: "상태 기록" }
    presence_started { en: "Started", ja: "開始", ko: "시작" }
    presence_duration { en: "Duration", ja: "時間", ko: "시간" }
    presence_student { en: "Student", ja: "学生", ko: "학생" }
    presence_ongoing { en: "ongoing", ja: "継続中", ko: "진행 중" }
    duration_hours { en: "{h} h {m} min", ja: "{h}時間{m}分", ko: "{h}시간 {m}분" }
    duration_minutes { en: "{m} min {s} s", ja: "{m}分{s}秒", ko: "{m}분 {s}초" }
    duration_seconds { en: "{s} s", ja: "{s}秒", ko: "{s}초" }
    help_title { en: "Ask for help", ja: "ヘルプを求める", ko: "도움 요청" }
    help_lead { en: "Describe what you are stuck on. Your instructor sees your notebook, cell, code and last error with the request.", ja: "困っていることを書いてください。講師にはノートブック、セル、コード、直近のエラーも一緒に表示されます。", ko: "막힌 부분을 적어 주세요. 강사는 요청과 함께 노트북, 셀, 코드, 마지막 오류를 봅니다." }
    help_no_classes { en: "You are not in any class yet. Join one first:", ja: "まだクラスに参加していません。まずクラスに参加してください:", ko: "아직 참여한 반이 없습니다. 먼저 반에 참여하세요:" }
    help_message { en: "What do you need help with?", ja: "何に困っていますか?", ko: "무엇을 도와드릴까요?" }
    help_priority { en: "Urgency", ja: "緊急度", ko: "긴급도" }
    help_priority_low { en: "Low", ja: "低", ko: "낮음" }
    help_priority_medium { en: "Medium", ja: "中", ko: "보통" }
    help_priority_high { en: "High", ja: "高", ko: "높음" }
    help_notebook { en: "Notebook (optional)", ja: "ノートブック(任意)", ko: "노트북(선택)" }
    help_context_note { en: "Left blank, the notebook and cell of your last run are used.", ja: "空欄の場合、最後に実行したノートブックとセルが使われます。", ko: "비워 두면 마지막으로 실행한 노트북과 셀이 사용됩니다." }
    help_raise { en: "Ask for help", ja: "ヘルプを依頼", ko: "도움 요청하기" }
    help_position { en: "You are number {n} in the queue.", ja: "順番待ちの{n}番目です。", ko: "대기열 {n}번째입니다." }
    help_coming { en: "{name} is coming to help you.", ja: "{name}さんが対応に向かっています。", ko: "{name} 님이 도우러 갑니다." }
    help_waiting { en: "Waiting", ja: "待機中", ko: "대기 중" }
    help_with { en: "With {name}", ja: "{name}が対応中", ko: "{name} 응대 중" }
    help_cancel_mine { en: "I no longer need help", ja: "ヘルプを取り消す", ko: "도움 요청 취소" }
    help_available_now { en: "Who can help now", ja: "今対応できる講師", ko: "지금 도울 수 있는 강사" }
    help_nobody_available { en: "No instructor is available right now; your request stays in the queue.", ja: "今対応できる講師はいません。依頼は順番待ちに残ります。", ko: "지금 응대 가능한 강사가 없습니다. 요청은 대기열에 남아 있습니다." }
    help_earlier { en: "Earlier requests", ja: "これまでの依頼", ko: "이전 요청" }
    help_resolved { en: "Resolved", ja: "解決済み", ko: "해결됨" }
    help_resolved_by { en: "Resolved by {name}", ja: "{name}が解決", ko: "{name} 님이 해결" }
    help_cancelled { en: "Cancelled", ja: "取り消し", ko: "취소됨" }
    help_history_title { en: "Help requests", ja: "ヘルプ依頼の履歴", ko: "도움 요청 기록" }
    help_queue_title { en: "Help requests", ja: "ヘルプ依頼", ko: "도움 요청" }
    help_queue_empty { en: "Nobody is waiting for help.", ja: "ヘルプを待っている学生はいません。", ko: "도움을 기다리는 학생이 없습니다." }
    help_take { en: "Take", ja: "対応する", ko: "응대하기" }
    help_response { en: "Answer (the student sees it)", ja: "回答(学生に表示されます)", ko: "답변(학생에게 표시됨)" }
    help_resolve { en: "Resolve", ja: "解決", ko: "해결" }
    help_hand_over_to { en: "Hand over to", ja: "引き継ぎ先", ko: "넘길 강사" }
    help_hand_over { en: "Hand over", ja: "引き継ぐ", ko: "넘기기" }
    help_cancel_request { en: "Cancel", ja: "取り消す", ko: "취소" }
    err_must_be_text { en: "Must be text.", ja: "文字列で指定してください。", ko: "텍스트여야 합니다." }
    err_invalid_priority { en: "Choose low, medium or high.", ja: "low、medium、highのいずれかを選んでください。", ko: "low, medium, high 중에서 선택하세요." }
    err_invalid_json { en: "Send a JSON object.", ja: "JSONオブジェクトを送ってください。", ko: "JSON 객체를 보내세요." }
    err_help_closed { en: "This request is already closed.", ja: "この依頼はすでに終了しています。", ko: "이 요청은 이미 종료되었습니다." }
    err_help_taken { en: "Another instructor has taken this request.", ja: "別の講師がこの依頼に対応しています。", ko: "다른 강사가 이 요청을 맡았습니다." }
    err_invalid_break { en: "Choose a break of 1 to 480 minutes.", ja: "休憩は1〜480分で選んでください。", ko: "휴식은 1~480분으로 선택하세요." }
    err_invalid_status { en: "Choose one of the listed statuses.", ja: "一覧のステータスから選んでください。", ko: "목록의 상태 중에서 선택하세요." }
}

/// The message for a field problem's code.
pub fn field_error_message(m: &Messages, code: &str) -> &'static str {
    match code {
        "required" => m.err_required,
        "invalid_email" => m.err_invalid_email,
        "password_too_short" => m.err_password_too_short,
        "password_too_long" => m.err_password_too_long,
        "password_too_weak" => m.err_password_too_weak,
        "too_long" => m.err_too_long,
        "invalid_characters" => m.err_invalid_characters,
        "invalid_grade" => m.err_invalid_grade,
        "taken" => m.err_taken,
        "wrong_credentials" => m.err_wrong_credentials,
        "wrong_setup_code" => m.err_wrong_setup_code,
        "wrong_password" => m.err_wrong_password,
        "invalid_reset_link" => m.err_invalid_reset_link,
        "signup_closed" => m.err_signup_closed,
        "signup_invite_only" => m.err_signup_invite_only,
        "cannot_change_self" => m.err_cannot_change_self,
        "invalid_permission" => m.err_invalid_permission,
        "kakao_only_sign_in" => m.err_kakao_only_sign_in,
        "invalid_date" => m.err_invalid_date,
        "ends_before_start" => m.err_ends_before_start,
        "invalid_number" => m.err_invalid_number,
        "invalid_choice" => m.err_invalid_choice,
        "course_inactive" => m.err_course_inactive,
        "no_such_user" => m.err_no_such_user,
        "not_an_instructor" => m.err_not_an_instructor,
        "not_a_student" => m.err_not_a_student,
        "unknown_join_code" => m.err_unknown_join_code,
        "class_closed" => m.err_class_closed,
        "students_only" => m.err_students_only,
        "not_on_roster" => m.err_not_on_roster,
        "wrong_check_in_code" => m.err_wrong_check_in_code,
        "not_in_course" => m.err_not_in_course,
        "duplicate_interest" => m.err_duplicate_interest,
        "choose_one_to_five" => m.err_choose_one_to_five,
        "invalid_line" => m.err_invalid_line,
        "duplicate_email" => m.err_duplicate_email,
        "too_many" => m.err_too_many,
        "invalid_retention" => m.err_invalid_retention,
        "must_be_text" => m.err_must_be_text,
        "invalid_priority" => m.err_invalid_priority,
        "invalid_json" | "json_object_required" => m.err_invalid_json,
        "help_closed" => m.err_help_closed,
        "help_taken" => m.err_help_taken,
        "invalid_break" => m.err_invalid_break,
        "invalid_status" => m.err_invalid_status,
        _ => m.err_invalid,
    }
}

/// Replaces each `{name}` in `template` with its value.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(template.to_owned(), |text, (name, value)| {
            text.replace(&format!("{{{name}}}"), value)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_named_values() {
        assert_eq!(fill(EN.time_minutes_ago, &[("n", "5")]), "5 minutes ago");
        assert_eq!(fill(JA.time_minutes_ago, &[("n", "5")]), "5分前");
    }

    #[test]
    fn every_language_has_every_message_filled() {
        for messages in [&EN, &JA, &KO] {
            let debug = format!("{messages:?}");
            assert!(!debug.contains(": \"\""), "an empty message in {debug}");
        }
    }
}
