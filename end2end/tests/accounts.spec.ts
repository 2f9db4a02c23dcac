import { expect, test, type Page } from "@playwright/test";

const password = "Correct1horse";

async function register(page: Page, email: string) {
  await page.goto("/register");
  await page.getByLabel("First name").fill("Ana");
  await page.getByLabel("Last name").fill("Lee");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByLabel("Grade (9-12)").fill("10");
  await page.getByRole("button", { name: "Create account" }).click();
}

for (const javaScriptEnabled of [true, false]) {
  test.describe(javaScriptEnabled ? "hydrated" : "without JavaScript", () => {
    test.use({ javaScriptEnabled });

    test("register, sign out and sign in again", async ({ page }) => {
      const email = `ana-${Date.now()}-${javaScriptEnabled ? "js" : "nojs"}@example.edu`;
      if (javaScriptEnabled) {
        await page.goto("/", { waitUntil: "networkidle" });
        await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
      }
      await register(page, email);
      await expect(page.getByTestId("account-name")).toHaveText("Ana Lee");

      await page.getByRole("button", { name: "Sign out" }).click();
      await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();

      await page.goto("/login?next=/profile");
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(password);
      await page.getByRole("main").getByRole("button", { name: "Sign in" }).click();
      await expect(page).toHaveURL(/\/profile$/);
      await expect(page.getByTestId("profile-email")).toHaveText(email);
    });
  });
}

test("a wrong password is explained next to the field", async ({ page }) => {
  await page.goto("/login", { waitUntil: "networkidle" });
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  await page.getByLabel("Email").fill("nobody@example.edu");
  await page.getByLabel("Password").fill("Wrong1horse");
  await page.getByRole("main").getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("The email or password is not right.")).toBeVisible();
  await expect(page.getByLabel("Password")).toHaveAttribute("aria-invalid", "true");
});
