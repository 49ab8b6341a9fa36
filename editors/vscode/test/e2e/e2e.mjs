// End-to-end test of the Rubric extension in the real VS Code workbench:
// code-server serves it on 127.0.0.1, Debian's chromium (driven by
// playwright-core) shows it. The built .vsix is installed into a fresh
// extensions folder, a broken rubric is opened in a temporary workspace, and
// the test checks that the server's diagnostic, a hover and a completion
// appear, saving a screenshot of each.
//
// Environment: RUBRIC_VSIX (the .vsix), RUBRIC_LSP (the server program),
// CHROMIUM (default /usr/bin/chromium), RUBRIC_E2E_OUT (where screenshots go,
// default ./screenshots). Run through run.sh, which installs what it needs.

import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const vsix = resolve(process.env.RUBRIC_VSIX ?? join(here, "../../rubric.vsix"));
const server = process.env.RUBRIC_LSP ?? "rubric-lsp";
const browserPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const shots = resolve(process.env.RUBRIC_E2E_OUT ?? join(here, "screenshots"));
const codeServer = join(here, "node_modules/.bin/code-server");
const TIMEOUT = Number(process.env.RUBRIC_E2E_TIMEOUT ?? 60_000);

const results = { passed: 0, failed: 0 };

function log(line) {
  process.stdout.write(`${line}\n`);
}

async function check(name, fn) {
  try {
    await fn();
    results.passed += 1;
    log(`ok     ${name}`);
    return true;
  } catch (error) {
    results.failed += 1;
    log(`FAILED ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

async function waitForHealth(url, child) {
  const deadline = Date.now() + TIMEOUT;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`code-server exited with ${child.exitCode}`);
    }
    try {
      const response = await fetch(url);
      if (response.ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`code-server did not answer ${url} within ${TIMEOUT} ms`);
}

function writeUserSettings(dataDir, command = [server], extra = {}) {
  const user = join(dataDir, "User");
  mkdirSync(user, { recursive: true });
  writeFileSync(
    join(user, "settings.json"),
    JSON.stringify(
      {
        "rubric.server.command": command,
        "rubric.scoreOnSave": false,
        "rubric.trace.server": "verbose",
        "security.workspace.trust.startupPrompt": "never",
        "security.workspace.trust.banner": "always",
        "workbench.startupEditor": "none",
        "workbench.tips.enabled": false,
        "workbench.enableExperiments": false,
        "workbench.welcomePage.walkthroughs.openOnInstall": false,
        "extensions.autoCheckUpdates": false,
        "extensions.autoUpdate": false,
        "extensions.ignoreRecommendations": true,
        "telemetry.telemetryLevel": "off",
        "update.mode": "none",
        "chat.commandCenter.enabled": false,
        "editor.quickSuggestions": { other: false, comments: false, strings: false },
        "editor.hover.delay": 100,
        "window.restoreWindows": "none",
        ...extra,
      },
      null,
      2,
    ),
  );
}

function makeWorkspace(root, name, { foreignCommand }) {
  const workspace = join(root, name);
  mkdirSync(join(workspace, ".git"), { recursive: true });
  writeFileSync(
    join(workspace, "review.rubric"),
    [
      "reward_rubric {",
      "  criterion correctness weight=3",
      "  criterion style weight=2",
      "}",
      "score {",
      "  correctness 4",
      "}",
      "bogus {",
      "}",
      "",
    ].join("\n"),
  );
  writeFileSync(join(workspace, "app.py"), "def main():\n    return 1\n");
  if (foreignCommand) {
    // A workspace must not choose the program VS Code runs unless it is trusted:
    // in restricted mode this value is ignored and the user's command is used.
    mkdirSync(join(workspace, ".vscode"), { recursive: true });
    writeFileSync(
      join(workspace, ".vscode", "settings.json"),
      JSON.stringify({ "rubric.server.command": ["/bin/false"] }, null, 2),
    );
  }
  return workspace;
}

/** The Rubric output channel's log (the protocol trace). */
function rubricLog(dataDir) {
  return spawnSync("sh", ["-c", `cat "${dataDir}"/logs/*/exthost*/output_logging_*/*Rubric* 2>/dev/null`], {
    encoding: "utf8",
  }).stdout;
}

/** The text of the initialize request in the Rubric output channel's log. */
function initializeRequest(dataDir) {
  const logs = rubricLog(dataDir);
  const start = logs.indexOf("Sending request 'initialize");
  if (start < 0) {
    throw new Error("no initialize request in the Rubric output");
  }
  const end = logs.indexOf("[Trace", start + 10);
  return logs.slice(start, end < 0 ? undefined : end);
}

/** Starts code-server on a free port of 127.0.0.1 and opens the workspace in chromium. */
async function openWorkbench({ root, dataDir, extensionsDir, workspace, env, trusted }) {
  const port = await freePort();
  const child = spawn(
    codeServer,
    [
      "--user-data-dir",
      dataDir,
      "--extensions-dir",
      extensionsDir,
      "--auth",
      "none",
      "--bind-addr",
      `127.0.0.1:${port}`,
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-getting-started-override",
      ...(trusted ? ["--disable-workspace-trust"] : []),
      "--config",
      join(root, "code-server.yaml"),
      workspace,
    ],
    { env, stdio: ["ignore", "pipe", "pipe"] },
  );
  const output = { text: "" };
  child.stdout.on("data", (chunk) => (output.text += chunk));
  child.stderr.on("data", (chunk) => (output.text += chunk));
  await waitForHealth(`http://127.0.0.1:${port}/healthz`, child);

  const browser = await chromium.launch({
    executablePath: browserPath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.setDefaultTimeout(TIMEOUT);
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
  await page.locator(".monaco-workbench").waitFor();
  await page.locator(".part.sidebar").first().waitFor();
  const close = async () => {
    await browser.close().catch(() => undefined);
    child.kill("SIGTERM");
  };
  return { page, output, close };
}

async function openFile(page, name) {
  await page.keyboard.press("Control+P");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor();
  await input.fill(name);
  await page.locator(".quick-input-list .monaco-list-row", { hasText: name }).first().waitFor();
  await page.keyboard.press("Enter");
  await page.locator(".tabs-container .tab.active", { hasText: name }).waitFor();
}

async function waitFor(condition, what) {
  const deadline = Date.now() + TIMEOUT;
  while (Date.now() < deadline) {
    if (condition()) {
      return;
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function openRubric(page) {
  await page.keyboard.press("Control+P");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor();
  await input.fill("review.rubric");
  await page.locator(".quick-input-list .monaco-list-row").first().waitFor();
  await page.keyboard.press("Enter");
  await page.locator(".monaco-editor .view-line", { hasText: "bogus" }).waitFor();
  await page.locator(".statusbar-item", { hasText: /^Rubric$/ }).first().waitFor();
}

async function trustedWorkspace(context) {
  const { dataDir } = context;
  const { page, output, close } = await openWorkbench({ ...context, trusted: true });
  try {
    const opened = await check("the broken rubric opens as a Rubric document", () => openRubric(page));
    if (!opened) {
      await page.screenshot({ path: join(shots, "0-open-failed.png") });
      return;
    }

    await check("the server's diagnostic is shown (squiggle and Problems)", async () => {
      await page.locator(".monaco-editor .squiggly-error").first().waitFor();
      await page.keyboard.press("Control+Shift+M");
      const problem = page.locator(".markers-panel .monaco-list-row", { hasText: "unknown block 'bogus'" });
      await problem.first().waitFor();
      const text = await problem.first().innerText();
      if (!text.includes("unknown-block")) {
        throw new Error(`problem row does not carry the code: ${text}`);
      }
      await page.screenshot({ path: join(shots, "1-diagnostic.png") });
    });

    await check("hover on a criterion shows its weight", async () => {
      const word = page
        .locator(".monaco-editor .view-line", { hasText: "correctness 4" })
        .locator("span span", { hasText: "correctness" })
        .first();
      await word.hover();
      const hover = page.locator(".monaco-hover:visible", { hasText: "weight 3" });
      await hover.first().waitFor();
      await page.screenshot({ path: join(shots, "2-hover.png") });
    });

    await check("completion at top level offers the block keywords", async () => {
      await page.mouse.move(5, 5);
      await page.keyboard.press("Escape");
      await page.locator(".monaco-editor .view-line", { hasText: "bogus" }).click();
      await page.keyboard.press("Control+End");
      await page.keyboard.press("Control+Space");
      const widget = page.locator(".suggest-widget.visible");
      await widget.waitFor();
      for (const keyword of ["accept_if", "review_if", "critique"]) {
        await widget.locator(".monaco-list-row", { hasText: keyword }).first().waitFor();
      }
      await page.screenshot({ path: join(shots, "3-completion.png") });
      await page.keyboard.press("Escape");
    });

    await check("the command palette lists the three Rubric commands", async () => {
      await page.keyboard.press("F1");
      const input = page.locator(".quick-input-widget input");
      await input.waitFor();
      await input.fill(">Rubric:");
      for (const title of ["Rubric: Score now", "Rubric: Show score report", "Rubric: Restart server"]) {
        await page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first().waitFor();
      }
      await page.keyboard.press("Escape");
    });

    await check("Rubric: Show score report answers (report or a message)", async () => {
      await page.keyboard.press("F1");
      const input = page.locator(".quick-input-widget input");
      await input.waitFor();
      await input.fill(">Rubric: Show score report");
      await page.locator(".quick-input-list .monaco-list-row", { hasText: "Show score report" }).first().waitFor();
      await page.keyboard.press("Enter");
      const toast = page.locator(".notifications-toasts .notification-toast", { hasText: "Rubric" });
      const preview = page.locator(".tabs-container .tab", { hasText: "Preview" });
      await toast.or(preview).first().waitFor();
      await page.waitForTimeout(500); // let the toast finish sliding in
      if (await toast.count()) {
        log(`       message: ${(await toast.first().innerText()).replace(/\s+/g, " ").trim()}`);
      } else {
        log(`       preview: ${(await preview.first().innerText()).trim()}`);
      }
      await page.screenshot({ path: join(shots, "4-report.png") });
    });

    await check("the server got the settings, with trusted: true", async () => {
      const initialize = initializeRequest(dataDir);
      for (const expected of ['"trusted": true', '"scoreOnSave": false', '"base": "HEAD"', '"healThreshold": 0.8']) {
        if (!initialize.includes(expected)) {
          throw new Error(`initializationOptions lack ${expected}`);
        }
      }
      if (/"server":\s*\{/.test(initialize.slice(initialize.indexOf("initializationOptions")))) {
        throw new Error("initializationOptions carry the client-only server.* settings");
      }
    });

    await check("a Python file of a workspace with a rubric is sent to the server", async () => {
      await openFile(page, "app.py");
      await waitFor(
        () => /Sending notification 'textDocument\/didOpen'[^[]*app\.py/.test(rubricLog(dataDir)),
        "didOpen of app.py in the Rubric trace",
      );
    });

    if (results.failed > 0) {
      await page.screenshot({ path: join(shots, "9-trusted-last.png") });
      log(output.text.split("\n").slice(-40).join("\n"));
    }
  } finally {
    await close();
  }
}

async function restrictedWorkspace(context) {
  const { dataDir, workspace } = context;
  const { page, output, close } = await openWorkbench({ ...context, trusted: false });
  try {
    await check("restricted mode: the rubric still opens and gets diagnostics", async () => {
      await openRubric(page);
      await page.locator(".monaco-editor .squiggly-error").first().waitFor();
      await page.locator(".statusbar-item", { hasText: /Restricted Mode/ }).first().waitFor();
      await page.screenshot({ path: join(shots, "5-restricted.png") });
    });

    await check("restricted mode: trusted: false, and the workspace's server command is ignored", async () => {
      const initialize = initializeRequest(dataDir);
      if (!initialize.includes('"trusted": false')) {
        throw new Error("initializationOptions do not say trusted: false");
      }
    });

    await check("trusting the workspace tells the server trusted: true", async () => {
      // Once trusted, the workspace's own server command would apply: take it away first.
      rmSync(join(workspace, ".vscode"), { recursive: true, force: true });
      await page.waitForTimeout(1000);
      await page.keyboard.press("F1");
      const input = page.locator(".quick-input-widget input");
      await input.waitFor();
      await input.fill(">Workspaces: Manage Workspace Trust");
      await page.locator(".quick-input-list .monaco-list-row", { hasText: "Manage Workspace Trust" }).first().waitFor();
      await page.keyboard.press("Enter");
      await page.getByRole("button", { name: /^Trust( Folder)?$/ }).first().click();
      await waitFor(
        () => /Sending notification 'workspace\/didChangeConfiguration'[^[]*"trusted": true/.test(rubricLog(dataDir)),
        "didChangeConfiguration with trusted: true in the Rubric trace",
      );
      const starts = rubricLog(dataDir).split("Sending request 'initialize").length - 1;
      if (starts !== 1) {
        throw new Error(`the server was started ${starts} times; trust should not restart it`);
      }
      await page.screenshot({ path: join(shots, "6-trusted-after-grant.png") });
    });

    if (results.failed > 0) {
      await page.screenshot({ path: join(shots, "9-restricted-last.png") });
      log(output.text.split("\n").slice(-40).join("\n"));
    }
  } finally {
    await close();
  }
}

/** A git repository with a rubric and a committed Python file, for on-save scoring. */
function makeScoredRepository(root) {
  const workspace = join(root, "workspace-scoring");
  mkdirSync(workspace, { recursive: true });
  writeFileSync(
    join(workspace, "review.rubric"),
    "reward_rubric {\n  criterion security weight=3\n  criterion style weight=2\n}\naccept_if {\n  total_gte 5\n}\n",
  );
  writeFileSync(join(workspace, "app.py"), '"""The app."""\n\n\ndef main():\n    """Run."""\n    return 1\n');
  const git = (...args) => execFileSync("git", args, { cwd: workspace, stdio: "ignore" });
  git("init", "-q");
  git("-c", "user.name=rubric", "-c", "user.email=rubric@localhost", "add", ".");
  git("-c", "user.name=rubric", "-c", "user.email=rubric@localhost", "commit", "-q", "-m", "start");
  return workspace;
}

async function onSaveScoring(context) {
  const { page, output, close } = await openWorkbench({ ...context, trusted: true });
  try {
    await check("saving a Python file scores the change: a bandit finding on its line", async () => {
      await openFile(page, "app.py");
      await waitFor(
        () => /Sending notification 'textDocument\/didOpen'[^[]*app\.py/.test(rubricLog(context.dataDir)),
        "the server to get app.py",
      );
      await page.locator(".monaco-editor .view-line", { hasText: "return 1" }).click();
      await page.keyboard.press("Control+A");
      await page.keyboard.insertText(
        'import subprocess\n\n\ndef main():\n    return subprocess.call("ls", shell=True)\n',
      );
      await page.keyboard.press("Control+S");
      await page.keyboard.press("Control+Shift+M");
      const finding = page.locator(".markers-panel .monaco-list-row", { hasText: "B602" });
      await finding.first().waitFor();
      const text = (await finding.first().innerText()).replace(/\s+/g, " ").trim();
      log(`       problem: ${text}`);
      if (!/rubric\W+security\/B602/.test(text) || !/Ln 5/.test(text)) {
        throw new Error(`expected rubric(security/B602) at line 5: ${text}`);
      }
      await page.screenshot({ path: join(shots, "8-scored-python.png") });
    });

    await check("the rubric shows the measured scores inline, and the report has them", async () => {
      await openFile(page, "review.rubric");
      const line = page.locator(".monaco-editor .view-line", { hasText: "criterion security" });
      await line.filter({ hasText: "/5" }).first().waitFor();
      log(`       inline: ${(await line.first().innerText()).replace(/\s+/g, " ").trim()}`);
      await page.screenshot({ path: join(shots, "9-scored-rubric.png") });
      await page.keyboard.press("F1");
      const input = page.locator(".quick-input-widget input");
      await input.waitFor();
      await input.fill(">Rubric: Show score report");
      await page.locator(".quick-input-list .monaco-list-row", { hasText: "Show score report" }).first().waitFor();
      await page.keyboard.press("Enter");
      await page.locator(".tabs-container .tab", { hasText: "Preview" }).first().waitFor();
      await page.waitForTimeout(1500); // the preview renders in a webview
      await page.screenshot({ path: join(shots, "10-score-report.png") });
    });

    if (results.failed > 0) {
      await page.screenshot({ path: join(shots, "99-scoring-last.png") });
      log(output.text.split("\n").slice(-40).join("\n"));
    }
  } finally {
    await close();
  }
}

async function missingServer(context) {
  const { page, close } = await openWorkbench({ ...context, trusted: true });
  try {
    await check("a server that cannot start gets a message saying how to install it", async () => {
      await openRubric(page);
      const toast = page.locator(".notifications-toasts .notification-toast", {
        hasText: "could not start the language server",
      });
      await toast.first().waitFor();
      await page.waitForTimeout(500);
      const text = (await toast.first().innerText()).replace(/\s+/g, " ").trim();
      log(`       message: ${text}`);
      if (!text.includes("pip install rubric-lsp")) {
        throw new Error(`the message does not say how to install the server: ${text}`);
      }
      await page.screenshot({ path: join(shots, "7-missing-server.png") });
    });
  } finally {
    await close();
  }
}

async function main() {
  const root = mkdtempSync(join(tmpdir(), "rubric-code-server-"));
  const extensionsDir = join(root, "extensions");
  rmSync(shots, { recursive: true, force: true });
  mkdirSync(shots, { recursive: true });
  const env = { ...process.env, XDG_CONFIG_HOME: join(root, "config"), XDG_DATA_HOME: join(root, "xdg-data") };

  const version = spawnSync(codeServer, ["--version"], { env, encoding: "utf8" }).stdout;
  log(`code-server: ${version.split("\n").find((line) => /^\d+\.\d+/.test(line)) ?? "?"}`);
  log(`vsix: ${vsix}; server: ${server}`);

  try {
    const installed = await check("the .vsix installs into code-server", async () => {
      const common = ["--user-data-dir", join(root, "install"), "--extensions-dir", extensionsDir];
      const install = spawnSync(codeServer, [...common, "--install-extension", vsix, "--force"], {
        env,
        encoding: "utf8",
        timeout: TIMEOUT,
      });
      const output = `${install.stdout}${install.stderr}`;
      if (install.status !== 0 || !/successfully installed/i.test(output)) {
        throw new Error(`install failed (${install.status}): ${output}`);
      }
      const listed = spawnSync(codeServer, [...common, "--list-extensions", "--show-versions"], {
        env,
        encoding: "utf8",
      }).stdout;
      if (!listed.includes("rubric-lsp.rubric@")) {
        throw new Error(`not listed: ${listed}`);
      }
    });
    if (!installed) {
      return;
    }
    for (const [name, scenario] of [
      ["trusted", trustedWorkspace],
      ["restricted", restrictedWorkspace],
      ["missing", missingServer],
      ["scoring", onSaveScoring],
    ]) {
      const dataDir = join(root, `data-${name}`);
      const command = name === "missing" ? [join(root, "no-such-rubric-lsp")] : [server];
      const typing = {
        // Text typed by the test lands as written.
        "editor.autoIndent": "none",
        "editor.autoClosingQuotes": "never",
        "editor.autoClosingBrackets": "never",
        "editor.formatOnType": false,
      };
      writeUserSettings(dataDir, command, name === "scoring" ? { "rubric.scoreOnSave": true, ...typing } : {});
      const workspace =
        name === "scoring"
          ? makeScoredRepository(root)
          : makeWorkspace(root, `workspace-${name}`, { foreignCommand: name === "restricted" });
      await scenario({ root, dataDir, extensionsDir, workspace, env });
    }
  } finally {
    if (!process.env.RUBRIC_E2E_KEEP) {
      rmSync(root, { recursive: true, force: true });
    } else {
      log(`kept ${root}`);
    }
  }
}

try {
  await main();
} catch (error) {
  results.failed += 1;
  log(`FAILED (error) ${error instanceof Error ? error.stack : String(error)}`);
}
log(`screenshots: ${shots}`);
log(`${results.passed} passed, ${results.failed} failed`);
process.exit(results.failed > 0 ? 1 : 0);
