import { expect, test } from "@playwright/test";
import { createAdmin, createClass, joinAsStudent, signIn } from "./steps";

// A student asks for help from the help page; the instructor's open dashboard shows the
// request at once, the instructor takes and resolves it, and the student's page follows
// each step without a reload.
test("a help request goes from the student to the instructor and back, live", async ({ page, browser }) => {
  test.setTimeout(120_000);
  const stamp = Date.now();
  const teacher = `help-${stamp}@example.edu`;
  const student = `asker-${stamp}@example.edu`;
  createAdmin(teacher, "Helen Helper");
  await signIn(page, teacher);
  const joinCode = await createClass(page, `Help ${stamp}`, "Afternoon group");

  // The student signs up and joins.
  const studentContext = await browser.newContext();
  const mine = await studentContext.newPage();
  await joinAsStudent(mine, student, "Ada", "Asker", joinCode);

  // The instructor watches the live dashboard.
  await page.getByTestId("open-live").click();
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  await expect(page.getByTestId("connection")).toHaveText("Live");
  await expect(page.getByTestId("help-count")).toHaveText("0");

  // The student asks; they see who can help and their place in the queue.
  await mine.goto("/help");
  await expect(mine.locator("body[data-hydrated]")).toHaveCount(1);
  await expect(mine.getByTestId("available")).toContainText("Helen Helper");
  await mine.getByLabel("What do you need help with?").fill("My loop never ends");
  await mine.getByTestId("help-raise").click();
  await expect(mine.getByTestId("my-request-state")).toHaveText("You are number 1 in the queue.");

  // It arrives on the dashboard without a reload.
  const request = page.getByTestId("help-request");
  await expect(request).toHaveCount(1);
  await expect(request.getByTestId("help-message")).toHaveText("My loop never ends");
  await expect(page.getByTestId("help-count")).toHaveText("1");
  await expect(page).toHaveTitle(/^\(1\) /);
  await expect(page.locator(`[data-testid="student-tile"][data-email="${student}"]`)).toHaveAttribute("data-status", "help");

  // Taken: the student learns who is coming; the instructor is in session.
  await request.getByTestId("help-take").click();
  await expect(request).toHaveAttribute("data-status", "in_progress");
  await expect(mine.getByTestId("my-request-state")).toHaveText("Helen Helper is coming to help you.");
  const helen = page.getByTestId("instructor-status").filter({ hasText: "Helen Helper" });
  await expect(helen).toHaveAttribute("data-status", "in_session");
  await expect(page.getByTestId("my-presence")).toHaveAttribute("data-status", "in_session");

  // Resolved with an answer the student reads, still without reloading.
  await request.getByTestId("help-response").fill("Increment i inside the loop");
  await request.getByTestId("help-resolve").click();
  await expect(page.getByTestId("help-request")).toHaveCount(0);
  await expect(page.getByTestId("help-count")).toHaveText("0");
  await expect(mine.getByTestId("help-response-text")).toHaveText("Increment i inside the loop");
  await expect(mine.getByTestId("my-request")).toHaveCount(0);
  await expect(helen).toHaveAttribute("data-status", "available");
  await expect(page.getByTestId("my-presence")).toHaveAttribute("data-status", "available");

  // The history shows on the student's progress page, and the instructors' page shows the work.
  await mine.goto("/progress");
  await expect(mine.getByTestId("help-history")).toContainText("Increment i inside the loop");
  await page.goto("/instructors");
  await expect(page.getByTestId("instructors")).toContainText("Helen Helper");
  await studentContext.close();
});

// Without JavaScript the help page still raises and cancels a request.
test("the help page works without JavaScript", async ({ browser }) => {
  const stamp = Date.now();
  const teacher = `plainhelp-${stamp}@example.edu`;
  createAdmin(teacher, "Plain Teacher");
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, teacher);
  const joinCode = await createClass(page, `Plain ${stamp}`, "Plain group");

  const studentContext = await browser.newContext({ javaScriptEnabled: false });
  const mine = await studentContext.newPage();
  await joinAsStudent(mine, `plain-${stamp}@example.edu`, "Noa", "Plain", joinCode);
  await mine.goto("/help");
  await mine.getByLabel("What do you need help with?").fill("Stuck on imports");
  await mine.getByTestId("help-raise").click();
  await mine.goto("/help");
  await expect(mine.getByTestId("my-request-state")).toHaveText("You are number 1 in the queue.");

  // The instructor's dashboard lists it; taking it is a plain form post too.
  const classUrl = page.url();
  await page.goto(`${classUrl}/live`);
  await expect(page.getByTestId("help-request")).toHaveCount(1);
  await page.getByTestId("help-take").click();
  await page.goto(`${classUrl}/live`);
  await expect(page.getByTestId("help-request")).toHaveAttribute("data-status", "in_progress");
  await mine.goto("/help");
  await expect(mine.getByTestId("my-request-state")).toHaveText("Plain Teacher is coming to help you.");
  await mine.getByTestId("help-cancel").click();
  await mine.goto("/help");
  await expect(mine.getByTestId("my-request")).toHaveCount(0);
  await expect(mine.getByTestId("help-history-item")).toHaveAttribute("data-status", "cancelled");
  await context.close();
  await studentContext.close();
});
