import { execFileSync } from "node:child_process";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";

const password = "Correct1horse";

async function signIn(page: Page, email: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("main").getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("account-name")).toBeVisible();
}

function cellEvent(email: string, name: string, cell: string, failed: boolean) {
  return {
    event_id: `${email}-${cell}-${Math.random()}`,
    email,
    user_name: name,
    team_name: "A",
    notebook_path: "lesson1.ipynb",
    cell_id: cell,
    cell_type: "code",
    code: failed ? "print(undefined_name)" : "print('hello')",
    output: failed ? "" : "hello",
    status: failed ? "error" : "success",
    error_type: failed ? "NameError" : undefined,
    error_message: failed ? "name 'undefined_name' is not defined" : undefined,
    execution_time: 0.1,
    timestamp: new Date().toISOString(),
  };
}

async function post(request: APIRequestContext, token: string, body: object) {
  const response = await request.post(`/api/v1/events?token=${encodeURIComponent(token)}`, { data: body });
  expect(response.status()).toBe(201);
}

// An instructor watches the dashboard while notebooks post: tiles, metrics and error
// groups change without a reload; without JavaScript the same page renders and filters.
test("the live dashboard follows the notebooks", async ({ page, browser, request }) => {
  test.setTimeout(90_000);
  const stamp = Date.now();
  const teacher = `live-${stamp}@example.edu`;
  execFileSync(process.env.LECTERN_BIN ?? "../target/debug/lectern", ["create-admin", "--email", teacher, "--name", "Live Teacher"], {
    env: { ...process.env, LECTERN_ADMIN_PASSWORD: password },
  });
  await signIn(page, teacher);
  await page.goto("/courses", { waitUntil: "networkidle" });
  await page.getByLabel("Title", { exact: true }).fill(`Data ${stamp}`);
  await page.getByLabel("Keyword", { exact: true }).fill("data");
  await page.getByRole("button", { name: "Create course" }).click();
  await expect(page).toHaveURL(/\/courses\/[0-9a-f-]+$/);
  await page.getByText("New class", { exact: true }).click();
  await page.getByLabel("Title", { exact: true }).fill("Morning group");
  await page.getByLabel("Subject", { exact: true }).fill("Python");
  await page.getByRole("button", { name: "Create class" }).click();
  await expect(page).toHaveURL(/\/classes\/[0-9a-f-]+$/);
  const token = await page.getByTestId("ingest-token").inputValue();
  await post(request, token, cellEvent("mina@example.edu", "Mina Park", "c1", false));

  await page.getByTestId("open-live").click();
  await expect(page).toHaveURL(/\/classes\/[0-9a-f-]+\/live$/);
  const liveUrl = page.url();
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
  await expect(page.getByTestId("connection")).toHaveText("Live");
  await expect(page.getByTestId("student-tile")).toHaveCount(1);
  await expect(page.getByTestId("metric-executions")).toHaveText("1");

  // A new student's failing runs arrive live: a tile, then the error state and group.
  await post(request, token, cellEvent("jun@example.edu", "Jun Lee", "c2", true));
  const jun = page.locator('[data-testid="student-tile"][data-email="jun@example.edu"]');
  await expect(jun).toBeVisible();
  await expect(jun).toHaveAttribute("data-status", "active");
  await post(request, token, cellEvent("jun@example.edu", "Jun Lee", "c2", true));
  await post(request, token, cellEvent("jun@example.edu", "Jun Lee", "c2", true));
  await expect(jun).toHaveAttribute("data-status", "error");
  await expect(jun.getByTestId("tile-errors")).toHaveText("3");
  await expect(page.getByTestId("metric-executions")).toHaveText("4");
  await expect(page.getByTestId("metric-errors")).toHaveText("1");
  await expect(page.getByTestId("error-groups")).toContainText("NameError in lesson1.ipynb cell c2");
  await expect(page.getByTestId("activity-chart")).toHaveAttribute("data-executions", "4");

  // Filtering happens in place.
  await page.getByLabel("Status").selectOption("error");
  await expect(page.getByTestId("student-tile")).toHaveCount(1);
  await page.getByLabel("Status").selectOption("");
  await page.getByLabel("Name or email").fill("mina");
  await expect(page.getByTestId("student-tile")).toHaveCount(1);
  await expect(page.getByTestId("student-tile")).toHaveAttribute("data-email", "mina@example.edu");
  await page.getByLabel("Name or email").fill("");

  // The student's page shows the failing code.
  await jun.getByRole("link", { name: "Jun Lee" }).click();
  await expect(page.getByRole("heading", { name: "Jun Lee", level: 1 })).toBeVisible();
  await expect(page.getByTestId("detail-executions")).toHaveText("3");
  await page.getByTestId("executions").first().getByText("Code").first().click();
  await expect(page.getByText("print(undefined_name)").first()).toBeVisible();

  // Without JavaScript: the server renders the same board, and the filter form reloads.
  const context = await browser.newContext({ javaScriptEnabled: false });
  const plain = await context.newPage();
  await signIn(plain, teacher);
  await plain.goto(liveUrl);
  await expect(plain.getByTestId("student-tile")).toHaveCount(2);
  await expect(plain.getByTestId("metric-errors")).toHaveText("1");
  await plain.getByLabel("Status").selectOption("error");
  await plain.getByRole("main").getByRole("button", { name: "Apply" }).click();
  await expect(plain).toHaveURL(/status=error/);
  await expect(plain.getByTestId("student-tile")).toHaveCount(1);
  await expect(plain.getByTestId("student-tile")).toHaveAttribute("data-email", "jun@example.edu");
  await context.close();
});
