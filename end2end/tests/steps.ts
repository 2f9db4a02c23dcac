// Steps the browser tests share: an administrator made with the CLI, signing in, a
// course with one class, and a student who signs up and joins by code.
import { execFileSync } from "node:child_process";
import { expect, type Page } from "@playwright/test";

export const password = "Correct1horse";

/** Creates an administrator (who teaches) with `lectern create-admin`. */
export function createAdmin(email: string, name: string) {
  execFileSync(process.env.LECTERN_BIN ?? "../target/debug/lectern", ["create-admin", "--email", email, "--name", name], {
    env: { ...process.env, LECTERN_ADMIN_PASSWORD: password },
  });
}

export async function signIn(page: Page, email: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("main").getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("account-name")).toBeVisible();
}

/** Creates a course and a class of it; returns the class's join code (the page stays on the class). */
export async function createClass(page: Page, course: string, title: string): Promise<string> {
  await page.goto("/courses", { waitUntil: "networkidle" });
  await page.getByLabel("Title", { exact: true }).fill(course);
  await page.getByLabel("Keyword", { exact: true }).fill("course");
  await page.getByRole("button", { name: "Create course" }).click();
  await expect(page).toHaveURL(/\/courses\/[0-9a-f-]+$/);
  await page.getByText("New class", { exact: true }).click();
  await page.getByLabel("Title", { exact: true }).fill(title);
  await page.getByLabel("Subject", { exact: true }).fill("Python");
  await page.getByRole("button", { name: "Create class" }).click();
  await expect(page).toHaveURL(/\/classes\/[0-9a-f-]+$/);
  return (await page.getByTestId("join-code").innerText()).trim();
}

/** Signs a new student up and joins the class with `joinCode`. */
export async function joinAsStudent(page: Page, email: string, first: string, last: string, joinCode: string) {
  await page.goto("/register");
  await page.getByLabel("First name").fill(first);
  await page.getByLabel("Last name").fill(last);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByLabel("Grade (9-12)").fill("11");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByTestId("account-name")).toHaveText(`${first} ${last}`);
  await page.goto("/classes", { waitUntil: "networkidle" });
  await page.getByLabel("Join code").fill(joinCode);
  await page.getByRole("button", { name: "Join", exact: true }).click();
  await expect(page.getByTestId("join-outcome")).toHaveText("You have joined the class.");
}
