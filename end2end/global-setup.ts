// cargo-leptos starts the server and the tests together: wait until it answers.
export default async function globalSetup(): Promise<void> {
  const base = process.env.LECTERN_E2E_URL ?? "http://127.0.0.1:3000";
  const deadline = Date.now() + 120_000;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${base}/health`);
      if (response.ok) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`Lectern did not become healthy at ${base}: ${last}`);
}
