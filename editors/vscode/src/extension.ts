// The Rubric extension: starts rubric-lsp for .rubric files (and for Python
// files of a workspace that has a rubric, so that saving them scores the
// change), mirrors the server's settings as `rubric.*`, and passes workspace
// trust so the server runs code-executing critics only when it may.

import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  DocumentSelector,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
} from "vscode-languageclient/node";

const CLIENT_ID = "rubric";
const CLIENT_NAME = "Rubric Language Server";
const SECTION = "rubric";

/** Server commands answered through workspace/executeCommand. */
const SERVER_SCORE = "rubric.score";
const SERVER_REPORT = "rubric.report";

/**
 * The settings object the server reads, from initializationOptions and the
 * `rubric` section of workspace/configuration: every `rubric.*` setting but
 * the client's own (`server.*`, `trace.*`), plus `trusted`.
 */
export interface ServerSettings {
  rubric: string;
  base: string;
  scoreOnSave: boolean;
  trusted: boolean;
  healThreshold: number;
  critics: Record<string, { enabled?: boolean; timeout?: number }>;
  python: string;
  [key: string]: unknown;
}

/** The part of the Python extension's API this extension reads (its `environments` API). */
interface PythonEnvironments {
  getActiveEnvironmentPath(resource?: vscode.Uri): { path: string };
  onDidChangeActiveEnvironmentPath: vscode.Event<unknown>;
}

/** The interpreter the Python extension has selected, by workspace folder URI ("" for none). */
const selectedPython = new Map<string, string>();
let pythonEnvironments: PythonEnvironments | undefined;

/** Settings read by this extension only, never sent to the server. */
const CLIENT_ONLY_SETTINGS = new Set(["server", "trace"]);

let client: LanguageClient | undefined;
/** The command line the running server was started with. */
let startedWith: string | undefined;
let output: vscode.OutputChannel | undefined;

/** Read-only documents holding the last score report, shown in the Markdown preview. */
const REPORT_SCHEME = "rubric-report";
const REPORT_URI = vscode.Uri.from({ scheme: REPORT_SCHEME, path: "/Rubric score report.md" });

class ReportDocuments implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private markdown = "";

  provideTextDocumentContent(): string {
    return this.markdown;
  }

  update(markdown: string): void {
    this.markdown = markdown;
    this.changed.fire(REPORT_URI);
  }
}

const reports = new ReportDocuments();

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel(CLIENT_NAME);
  context.subscriptions.push(output);

  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, reports),
    vscode.commands.registerCommand("rubric.scoreNow", scoreNow),
    vscode.commands.registerCommand("rubric.showReport", showReport),
    vscode.commands.registerCommand("rubric.restartServer", restartServer),
    vscode.workspace.onDidChangeConfiguration(onConfigurationChanged),
    vscode.workspace.onDidGrantWorkspaceTrust(sendSettings),
  );

  await readSelectedPython();
  await startServer();
}

export async function deactivate(): Promise<void> {
  await stopServer();
}

/** The `rubric.*` settings as the server expects them, for one folder or the window. */
export function serverSettings(scope?: vscode.ConfigurationScope): ServerSettings {
  const config = vscode.workspace.getConfiguration(SECTION, scope);
  // A WorkspaceConfiguration holds the merged values as plain properties next to its methods.
  const values = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  for (const key of CLIENT_ONLY_SETTINGS) {
    delete values[key];
  }
  return {
    ...values,
    rubric: config.get<string>("rubric", ""),
    base: config.get<string>("base", "HEAD"),
    scoreOnSave: config.get<boolean>("scoreOnSave", true),
    trusted: vscode.workspace.isTrusted,
    healThreshold: config.get<number>("healThreshold", 0.8),
    critics: config.get<ServerSettings["critics"]>("critics", {}),
    // rubric.python when set, else the Python extension's choice for the folder.
    python: config.get<string>("python", "").trim() || pythonFor(scope),
  };
}

/** The Python extension's interpreter for a folder (or the first folder), "" without it. */
function pythonFor(scope?: vscode.ConfigurationScope): string {
  const uri = scope instanceof vscode.Uri ? scope : vscode.workspace.workspaceFolders?.[0]?.uri;
  const folder = uri ? vscode.workspace.getWorkspaceFolder(uri)?.uri : undefined;
  return selectedPython.get(folder?.toString() ?? "") ?? "";
}

/** Reads the Python extension's selected interpreters, when that extension is installed. */
async function readSelectedPython(): Promise<void> {
  const extension = vscode.extensions.getExtension<{ environments?: PythonEnvironments }>(
    "ms-python.python",
  );
  if (!extension) {
    return;
  }
  try {
    const exports = extension.isActive ? extension.exports : await extension.activate();
    const environments = exports?.environments;
    if (!environments) {
      return;
    }
    if (pythonEnvironments === undefined) {
      pythonEnvironments = environments;
      // The user picks another interpreter: the server scores with it from the next run on.
      environments.onDidChangeActiveEnvironmentPath(async () => {
        await readSelectedPython();
        sendSettings();
      });
    }
    selectedPython.clear();
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const path = environments.getActiveEnvironmentPath(folder.uri)?.path ?? "";
      selectedPython.set(folder.uri.toString(), path);
    }
  } catch (error) {
    output?.appendLine(`Reading the Python extension's interpreter failed: ${String(error)}`);
  }
}

/** The program and arguments that start the server, from `rubric.server.*`. */
export function serverCommand(): { command: string; args: string[] } {
  const config = vscode.workspace.getConfiguration(SECTION);
  const pythonPath = config.get<string>("server.pythonPath", "").trim();
  if (pythonPath) {
    return {
      command: substituteVariables(pythonPath),
      args: ["-c", "from rubric_lsp.lsp.main import main; main()"],
    };
  }
  const configured = config.get<string[]>("server.command", ["rubric-lsp"]);
  const parts = configured.filter((part) => typeof part === "string" && part.length > 0);
  if (parts.length === 0) {
    return { command: "rubric-lsp", args: [] };
  }
  const [command, ...args] = parts.map(substituteVariables);
  return { command: command as string, args };
}

/** Expands `${workspaceFolder}` and `~` in a path setting, as users write them. */
function substituteVariables(value: string): string {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? "";
  let result = value.replace(/\$\{workspaceFolder\}/g, folder);
  const home = process.env.HOME ?? process.env.USERPROFILE;
  if (home && (result === "~" || result.startsWith("~/"))) {
    result = home + result.slice(1);
  }
  return result;
}

/** Whether a workspace folder has a rubric at its root (or names one in settings). */
async function workspaceHasRubric(): Promise<boolean> {
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    if (serverSettings(folder).rubric) {
      return true;
    }
    const found = await vscode.workspace.findFiles(
      new vscode.RelativePattern(folder, "*.rubric"),
      null,
      1,
    );
    if (found.length > 0) {
      return true;
    }
  }
  return false;
}

async function documentSelector(): Promise<DocumentSelector> {
  const selector: DocumentSelector = [
    { language: "rubric", scheme: "file" },
    { language: "rubric", scheme: "untitled" },
  ];
  if (await workspaceHasRubric()) {
    // Saving a source file scores the change; the server reports its findings there.
    selector.push({ language: "python", scheme: "file" });
  }
  return selector;
}

async function startServer(): Promise<void> {
  if (client) {
    return;
  }
  const { command, args } = serverCommand();
  startedWith = JSON.stringify([command, ...args]);
  const serverOptions: ServerOptions = {
    command,
    args,
    // No `transport`: with TransportKind.stdio the client would append `--stdio`.
    options: { env: { ...process.env, PYTHONUNBUFFERED: "1" } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: await documentSelector(),
    outputChannel: output,
    // Re-evaluated at every (re)start, so a restart picks up trust and settings.
    initializationOptions: () => serverSettings(),
    middleware: {
      workspace: {
        configuration: async (params, token, next) => {
          const answers = await next(params, token);
          if (!Array.isArray(answers)) {
            return answers;
          }
          return params.items.map((item, index) => {
            if (item.section === SECTION) {
              const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
              return serverSettings(scope);
            }
            return answers[index];
          });
        },
      },
    },
  };

  const started = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
  client = started;
  try {
    await started.start();
    output?.appendLine(`Started ${[command, ...args].join(" ")}`);
  } catch (error) {
    client = undefined;
    const detail = error instanceof Error ? error.message : String(error);
    // Not awaited: activation must not wait for the user to dismiss the message.
    void vscode.window
      .showErrorMessage(
        `Rubric: could not start the language server (${command}): ${detail}. ` +
          "Install it with `pip install rubric-lsp`, or set rubric.server.command or rubric.server.pythonPath.",
        "Open Settings",
      )
      .then((choice) => {
        if (choice === "Open Settings") {
          void vscode.commands.executeCommand("workbench.action.openSettings", "rubric.server");
        }
      });
  }
}

async function stopServer(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    try {
      await running.stop();
    } catch (error) {
      output?.appendLine(`Stopping the server failed: ${String(error)}`);
    }
  }
}

async function restartServer(): Promise<void> {
  await stopServer();
  await startServer();
}

/** Tells the server that settings (or trust) changed; it reads them from the notification or pulls them. */
function sendSettings(): void {
  if (!client?.isRunning()) {
    return;
  }
  void client.sendNotification(DidChangeConfigurationNotification.type, {
    settings: { [SECTION]: serverSettings() },
  });
}

async function onConfigurationChanged(event: vscode.ConfigurationChangeEvent): Promise<void> {
  if (event.affectsConfiguration("rubric.server")) {
    // Also fired for values VS Code ignores (workspace values in restricted mode).
    const { command, args } = serverCommand();
    if (!client || JSON.stringify([command, ...args]) !== startedWith) {
      await restartServer();
      return;
    }
  }
  if (event.affectsConfiguration(SECTION)) {
    sendSettings();
  }
}

async function runServerCommand(name: string, args: unknown[]): Promise<unknown> {
  if (!client?.isRunning()) {
    throw new Error("the language server is not running (Rubric: Restart server starts it)");
  }
  return client.sendRequest(ExecuteCommandRequest.type, { command: name, arguments: args });
}

async function scoreNow(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const args = editor ? [editor.document.uri.toString()] : [];
  try {
    if (editor?.document.isDirty) {
      await editor.document.save();
    }
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: "Rubric: scoring" },
      () => runServerCommand(SERVER_SCORE, args),
    );
  } catch (error) {
    void vscode.window.showErrorMessage(`Rubric: scoring failed: ${errorText(error)}`);
  }
}

/** The markdown of a report answer: the server sends a string, or an object holding one. */
export function reportMarkdown(answer: unknown): string | undefined {
  if (typeof answer === "string") {
    return answer.trim() ? answer : undefined;
  }
  if (answer && typeof answer === "object") {
    for (const key of ["markdown", "value", "report"]) {
      const value = (answer as Record<string, unknown>)[key];
      if (typeof value === "string" && value.trim()) {
        return value;
      }
    }
  }
  return undefined;
}

async function showReport(): Promise<void> {
  let markdown: string | undefined;
  try {
    markdown = reportMarkdown(await runServerCommand(SERVER_REPORT, []));
  } catch (error) {
    void vscode.window.showErrorMessage(`Rubric: no score report: ${errorText(error)}`);
    return;
  }
  if (!markdown) {
    void vscode.window.showInformationMessage(
      "Rubric: no score report yet. Save a file or run Rubric: Score now.",
    );
    return;
  }
  reports.update(markdown);
  try {
    await vscode.commands.executeCommand("markdown.showPreview", REPORT_URI);
  } catch {
    // Without the built-in Markdown extension, show the text itself.
    const document = await vscode.workspace.openTextDocument(REPORT_URI);
    await vscode.languages.setTextDocumentLanguage(document, "markdown");
    await vscode.window.showTextDocument(document, { preview: true });
  }
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  if (error && typeof error === "object" && "message" in error) {
    return String((error as { message: unknown }).message);
  }
  return String(error);
}
