// The telinject extension: starts telinject-lsp over stdio for the supported languages and adds
// the commands, the status bar item and the settings around it. Diagnostics, quick fixes, hover
// previews, on-save edits (willSaveWaitUntil) and progress all come from the server.
import * as vscode from 'vscode';
import {
  LanguageClient, LanguageClientOptions, ServerOptions, State, TransportKind,
} from 'vscode-languageclient/node';

import { executeServerCommand, instrumentFunction } from './commands';
import { findServer } from './server_path';
import { serverSettings } from './settings';
import { StatusIndicator } from './status';

// Kotlin and C# have no grammar in telinject: the server lists their functions with the LLM when
// llm.enabled is set, and does nothing with them otherwise.
const LANGUAGES = ['python', 'javascript', 'javascriptreact', 'typescript', 'typescriptreact', 'go',
  'java', 'rust', 'c', 'cpp', 'ruby', 'kotlin', 'csharp'];

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let status: StatusIndicator;

function setRunning(running: boolean): void {
  void vscode.commands.executeCommand('setContext', 'telinject.serverRunning', running);
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const { server, problem } = findServer({
    configured: vscode.workspace.getConfiguration('telinject').get<string>('server.path', ''),
    baseFolder: folder?.uri.fsPath,
    extensionPath: context.extensionPath,
    searchPath: process.env.PATH,
  });
  if (!server) {
    const message = problem ?? 'telinject-lsp was not found.';
    output.appendLine(message);
    status.setState('missing', message);
    setRunning(false);
    // Not awaited: activation must not wait for the user to read the notification.
    void vscode.window.showErrorMessage(`telinject: ${message}`, 'Configure').then((choice) => {
      if (choice !== 'Configure') return;
      // The server runs where the extension host runs: in a remote window (code-server, SSH,
      // containers) that is the Remote settings, where a machine-overridable setting shows.
      const command = vscode.env.remoteName
        ? 'workbench.action.openRemoteSettings' : 'workbench.action.openSettings';
      void vscode.commands.executeCommand(command, { query: 'telinject.server.path' });
    });
    return;
  }
  output.appendLine(`telinject-lsp: ${server.path} (from ${server.source})`);

  // TransportKind.stdio adds --stdio to the arguments; the server accepts it.
  const serverOptions: ServerOptions = {
    command: server.path,
    transport: TransportKind.stdio,
    options: folder ? { cwd: folder.uri.fsPath } : undefined,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: LANGUAGES.map((language) => ({ scheme: 'file', language })),
    outputChannel: output,
    traceOutputChannel: output,
    initializationOptions: serverSettings(folder?.uri),
    // A change of any telinject.* setting notifies the server...
    synchronize: { configurationSection: 'telinject' },
    middleware: {
      workspace: {
        // ...with null settings, so that it asks for them (workspace/configuration, per folder)
        // and gets them in its own shape below rather than VS Code's tree with its defaults.
        didChangeConfiguration: (_sections, next) => next(undefined),
        configuration: async (params, token, next) => {
          const answers = await next(params, token);
          if (!Array.isArray(answers)) return answers;
          return params.items.map((item, index) => item.section === 'telinject'
            ? serverSettings(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined)
            : answers[index]);
        },
      },
      executeCommand: (command, args, next) =>
        executeServerCommand(() => client, output, command, args, next),
    },
  };
  const created = new LanguageClient('telinject', 'telinject', serverOptions, clientOptions);
  created.onDidChangeState((event) => {
    const state = event.newState === State.Running ? 'running'
      : event.newState === State.Starting ? 'starting' : 'stopped';
    status.setState(state, server.path);
    setRunning(event.newState === State.Running);
  });
  client = created;
  status.setState('starting', server.path);
  try {
    await created.start();
  } catch (error) {
    output.appendLine(`telinject-lsp did not start: ${error}`);
    status.setState('stopped', `${server.path} did not start: ${error}`);
    void vscode.window.showErrorMessage(`telinject: ${server.path} did not start (see the output).`,
      'Show Output').then((choice) => { if (choice) output.show(); });
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  setRunning(false);
  if (running) await running.dispose();
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  await stop();
  await start(context);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('telinject');
  status = new StatusIndicator();
  context.subscriptions.push(
    output,
    status,
    vscode.commands.registerCommand('telinject.showOutput', () => output.show()),
    vscode.commands.registerCommand('telinject.restartServer', () => restart(context)),
    vscode.commands.registerCommand('telinject.instrumentFunction', async () => {
      if (!client || !client.isRunning()) {
        void vscode.window.showErrorMessage('telinject: the server is not running.');
        return;
      }
      await instrumentFunction(client);
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('telinject.server.path')) void restart(context);
    }));
  await start(context);
}

export function deactivate(): Promise<void> {
  return stop();
}
