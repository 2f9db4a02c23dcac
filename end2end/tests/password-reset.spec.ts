import { execFileSync } from "node:child_process";
import { expect, test } from "@playwright/test";

const password = "Correct1horse";

test("a forgotten password is reset through the outbox", async ({ page, browser }) => {
  const stamp = Date.now();
  const student = `reset-${stamp}@example.edu`;
  const admin = `admin-${stamp}@example.edu`;
  // The operator's way to make an administrator; the server under test shares its database.
  execFileSync(process.env.LECTERN_BIN ?? "../target/debug/lectern", ["create-admin", "--email", admin, "--name", "Ada Lovelace"], {
    env: { ...process.env, LECTERN_ADMIN_PASSWORD: password },
  });

  await page.goto("/register", { waitUntil: "networkidle" });
  await page.getByLabel("First name").fill("Rita");
  await page.getByLabel("Last name").fill("Reset");
  await page.getByLabel("Email").fill(student);
  await page.getByLabel("Password").fill(password);
  await page.getByLabel("Grade (9-12)").fill("11");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByTestId("account-name")).toHaveText("Rita Reset");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();

  await page.goto("/login");
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await page.getByLabel("Email").fill(student);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByTestId("reset-sent")).toContainText("a reset link is on its way");

  // An administrator reads the link in the outbox (no SMTP here).
  const adminContext = await browser.newContext();
  const adminPage = await adminContext.newPage();
  await adminPage.goto("/login?next=/admin/outbox");
  await adminPage.getByLabel("Email").fill(admin);
  await adminPage.getByLabel("Password").fill(password);
  await adminPage.getByRole("main").getByRole("button", { name: "Sign in" }).click();
  await expect(adminPage).toHaveURL(/\/admin\/outbox$/);
  const mail = adminPage.getByTestId("outbox").locator("li", { hasText: student }).first();
  const body = await mail.locator("pre").innerText();
  const link = body.match(/https?:\/\/\S+reset-password\?token=\w+/)?.[0];
  expect(link).toBeTruthy();
  await adminContext.close();

  await page.goto(new URL(link!).pathname + new URL(link!).search);
  await page.getByLabel("New password").fill("Better2horse");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page).toHaveURL(/\/login\?reset=done$/);
  await expect(page.getByText("Your password was changed.")).toBeVisible();
  await page.getByLabel("Email").fill(student);
  await page.getByLabel("Password").fill("Better2horse");
  await page.getByRole("main").getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("account-name")).toHaveText("Rita Reset");

  // The link works once.
  await page.goto(new URL(link!).pathname + new URL(link!).search);
  await expect(page.getByTestId("reset-invalid")).toBeVisible();
});
