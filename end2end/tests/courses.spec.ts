import { execFileSync } from "node:child_process";
import { expect, test, type Page } from "@playwright/test";

const password = "Correct1horse";

async function signIn(page: Page, email: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("main").getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("account-name")).toBeVisible();
}

/// `YYYY-MM-DDTHH:MM` in UTC (the test server's time zone), for datetime-local inputs.
function localMinute(date: Date): string {
  return date.toISOString().slice(0, 16);
}

// The teacher works in a hydrated page; the student's browser has JavaScript off, so
// joining and checking in are plain form posts.
test("a course from creation to a verified certificate", async ({ page, browser }) => {
  test.setTimeout(90_000);
  const stamp = Date.now();
  const teacher = `teacher-${stamp}@example.edu`;
  const student = `student-${stamp}@example.edu`;
  execFileSync(process.env.LECTERN_BIN ?? "../target/debug/lectern", ["create-admin", "--email", teacher, "--name", "Grace Hopper"], {
    env: { ...process.env, LECTERN_ADMIN_PASSWORD: password },
  });

  await signIn(page, teacher);
  await page.goto("/courses", { waitUntil: "networkidle" });
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  await page.getByLabel("Title", { exact: true }).fill(`Python ${stamp}`);
  await page.getByLabel("Keyword", { exact: true }).fill("python");
  await page.getByRole("button", { name: "Create course" }).click();
  await expect(page).toHaveURL(/\/courses\/[0-9a-f-]+$/);
  await expect(page.getByTestId("course-title")).toHaveText(`Python ${stamp}`);

  await page.getByText("New class", { exact: true }).click();
  await page.getByLabel("Title", { exact: true }).fill("Spring cohort");
  await page.getByLabel("Subject", { exact: true }).fill("Python");
  await page.getByRole("button", { name: "Create class" }).click();
  await expect(page).toHaveURL(/\/classes\/[0-9a-f-]+$/);
  const classUrl = page.url();
  const joinCode = (await page.getByTestId("join-code").innerText()).trim();
  expect(joinCode).toMatch(/^PYTH-[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{3}$/);

  await page.getByText("New lecture", { exact: true }).click();
  await page.getByLabel("Title", { exact: true }).fill("Variables");
  await page.getByLabel("Starts at").fill(localMinute(new Date(Date.now() - 60_000)));
  await page.getByRole("button", { name: "Add lecture" }).click();
  await page.getByTestId("lectures").getByRole("link", { name: "Variables" }).click();
  await expect(page).toHaveURL(/\/lectures\/[0-9a-f-]+$/);

  // The student registers and joins by code, without JavaScript.
  const studentContext = await browser.newContext({ javaScriptEnabled: false });
  const studentPage = await studentContext.newPage();
  await studentPage.goto("/register");
  await studentPage.getByLabel("First name").fill("Sam");
  await studentPage.getByLabel("Last name").fill("Student");
  await studentPage.getByLabel("Email").fill(student);
  await studentPage.getByLabel("Password").fill(password);
  await studentPage.getByLabel("Grade (9-12)").fill("10");
  await studentPage.getByRole("button", { name: "Create account" }).click();
  await expect(studentPage.getByTestId("account-name")).toHaveText("Sam Student");
  await studentPage.goto("/classes");
  await studentPage.getByLabel("Join code").fill(joinCode.toLowerCase());
  await studentPage.getByRole("button", { name: "Join", exact: true }).click();
  await expect(studentPage.getByTestId("join-outcome")).toHaveText("You have joined the class.");
  await expect(studentPage.getByRole("link", { name: "Spring cohort" })).toBeVisible();

  // The teacher opens check-in; the code on screen lets the student in.
  await page.getByRole("button", { name: "Open check-in" }).click();
  await expect(page.getByTestId("check-in-code")).toBeVisible();
  // A reload while check-in is open hydrates cleanly and keeps the list live.
  await page.reload({ waitUntil: "networkidle" });
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  const code = (await page.getByTestId("check-in-code").innerText()).trim();
  expect(code).toMatch(/^\d{6}$/);
  await studentPage.goto("/checkin");
  await studentPage.getByLabel("Code").fill(code);
  await studentPage.getByRole("button", { name: "Check in" }).click();
  await expect(studentPage.getByTestId("check-in-done")).toHaveText("You are checked in to Variables.");

  // The teacher's screen lists the student without a reload.
  await expect(page.getByTestId("checked-in")).toContainText("Sam Student", { timeout: 15_000 });
  const row = page.locator(`tr[data-student="${student}"]`);
  await expect(row.getByLabel("Present")).toBeChecked();
  await page.getByRole("button", { name: "Save attendance" }).click();
  await expect(page.getByTestId("sheet-saved")).toHaveText("Saved.");

  // The class page counts the attendance; the student's progress shows it too.
  await page.goto(classUrl);
  await expect(page.getByTestId("class-rate")).toHaveText("100%");
  await studentPage.goto("/progress");
  await expect(studentPage.getByTestId("progress-attended")).toHaveText("1");

  // Certificates for everyone at 80% or more, then the public verification page.
  await page.getByRole("link", { name: `Python ${stamp}` }).click();
  await page.getByRole("button", { name: "Issue to everyone above it" }).click();
  await expect(page.getByText("Certificates issued: 1.")).toBeVisible();
  await page.getByTestId("certificates").getByRole("link", { name: "Sam Student" }).click();
  await expect(page.getByTestId("certificate-name")).toHaveText("Sam Student");
  await page.getByRole("link", { name: "Verification page" }).click();

  const anonymous = await browser.newContext();
  const verifier = await anonymous.newPage();
  await verifier.goto(new URL(page.url()).pathname);
  await expect(verifier.getByTestId("verify-result")).toHaveText("This certificate is genuine.");
  await expect(verifier.getByTestId("verify-holder")).toHaveText("Sam Student");
  await expect(verifier.getByTestId("verify-course")).toHaveText(`Python ${stamp}`);
  await expect(verifier.getByTestId("verify-classes")).toContainText("Spring cohort");
  await anonymous.close();
  await studentContext.close();
});
