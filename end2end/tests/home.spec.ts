import { expect, test, type Page } from "@playwright/test";

/** Collects console errors and failed requests, which a healthy page has none of. */
function watchForErrors(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page: ${error.message}`));
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
  });
  return problems;
}

test.describe("hydrated", () => {
  test("the language switcher changes the language, and the server remembers it", async ({ page }) => {
    const problems = watchForErrors(page);
    await page.goto("/", { waitUntil: "networkidle" });
    await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(
      "See every student's notebook, live",
    );
    await expect(page.getByTestId("database-status")).toHaveText("Healthy");
    // Only the live parts ship as WASM: here, the time of the check.
    await expect(page.locator("leptos-island time")).toHaveCount(1);

    await page.getByLabel("Language").selectOption("ja");
    await page.getByRole("button", { name: "Apply" }).click();

    await expect(page.getByRole("heading", { level: 1 })).toHaveText(
      "すべての学生のノートブックをライブで",
    );
    await expect(page.locator("html")).toHaveAttribute("lang", "ja");
    await expect(page.getByTestId("database-status")).toHaveText("正常");

    // The choice is remembered by the server.
    await page.reload();
    await expect(page.locator("html")).toHaveAttribute("lang", "ja");
    await page.getByLabel("言語").selectOption("en");
    await page.getByRole("button", { name: "適用" }).click();
    await expect(page.locator("html")).toHaveAttribute("lang", "en");
    expect(problems).toEqual([]);
  });

  test("an unknown address shows the not-found page with status 404", async ({ page }) => {
    const response = await page.goto("/no/such/page");
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Page not found");
    await page.getByRole("link", { name: "Back to the home page" }).click();
    await expect(page).toHaveURL(/\/$/);
  });
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the home page renders and the language form still works", async ({ page }) => {
    await page.goto("/");
    await expect(page.locator("body[data-hydrated]")).toHaveCount(0);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(
      "See every student's notebook, live",
    );
    await expect(page.getByTestId("database-status")).toHaveText("Healthy");

    await page.getByLabel("Language").selectOption("ko");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(
      "모든 학생의 노트북을 실시간으로",
    );
    await expect(page.locator("html")).toHaveAttribute("lang", "ko");
  });
});
