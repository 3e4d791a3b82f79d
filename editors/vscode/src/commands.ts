// Commands that need more than forwarding to the server: the quick fix at the cursor, the
// workspace run with VS Code's progress notification, and readable answers for the cache.
import * as vscode from 'vscode';
import {
  CodeAction, CodeActionRequest, CodeActionResolveRequest, CodeActionTriggerKind,
  ExecuteCommandRequest, LanguageClient, ResponseError, LSPErrorCodes, WorkDoneProgress,
  WorkDoneProgressBegin, WorkDoneProgressEnd, WorkDoneProgressReport,
} from 'vscode-languageclient/node';

/** The server's commands that take the URI of an open document as their first argument. */
const DOCUMENT_COMMANDS = new Set(['telinject.instrumentFile', 'telinject.removeFile']);

/**
 * The first argument for a document command: the URI the editor's context menu passes, else the
 * active editor's document. Undefined when there is neither.
 */
function documentArgument(args: unknown[]): string | undefined {
  const first = args[0];
  if (typeof first === 'string') return first;
  if (first instanceof vscode.Uri) return first.toString();
  return vscode.window.activeTextEditor?.document.uri.toString();
}

/** Applies the server's quick fix "Instrument function" for the function at the cursor. */
export async function instrumentFunction(client: LanguageClient): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('telinject: put the cursor in a function first.');
    return;
  }
  const document = editor.document;
  const c2p = client.code2ProtocolConverter;
  const ours = vscode.languages.getDiagnostics(document.uri).filter((d) => d.source === 'telinject');
  const actions = await client.sendRequest(CodeActionRequest.type, {
    textDocument: { uri: c2p.asUri(document.uri) },
    range: c2p.asRange(editor.selection),
    context: {
      diagnostics: await c2p.asDiagnostics(ours),
      only: ['quickfix'],
      triggerKind: CodeActionTriggerKind.Invoked,
    },
  });
  // An action to resolve has neither edit nor command yet, so CodeAction.is would refuse it.
  const action = (actions ?? []).find((a): a is CodeAction => 'kind' in a && a.kind === 'quickfix');
  if (!action) {
    void vscode.window.showInformationMessage('telinject: no function without telemetry at the cursor.');
    return;
  }
  const resolved = action.edit ? action : await client.sendRequest(CodeActionResolveRequest.type, action);
  if (resolved.edit) {
    const edit = await client.protocol2CodeConverter.asWorkspaceEdit(resolved.edit);
    if (!(await vscode.workspace.applyEdit(edit))) {
      void vscode.window.showErrorMessage('telinject: VS Code did not apply the edit (the file changed?).');
      return;
    }
  }
  // The helper module for clients that cannot create files (telinject.writeRuntime).
  if (resolved.command) {
    await vscode.commands.executeCommand(resolved.command.command, ...(resolved.command.arguments ?? []));
  }
}

/**
 * telinject.instrumentWorkspace in VS Code's progress notification: the server reports on our
 * work-done token, and the notification's Cancel button cancels the request ($/cancelRequest).
 */
async function instrumentWorkspace(client: LanguageClient): Promise<unknown> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'telinject', cancellable: true },
    async (progress, cancel) => {
      const token = `telinject-vscode-workspace-${Date.now()}`;
      let percentage = 0;
      let summary = '';
      const listener = client.onProgress(WorkDoneProgress.type, token,
        (value: WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd) => {
          if (value.kind === 'begin') {
            progress.report({ message: value.title });
          } else if (value.kind === 'report') {
            const increment = value.percentage !== undefined ? value.percentage - percentage : undefined;
            if (value.percentage !== undefined) percentage = value.percentage;
            progress.report({ message: value.message, increment });
          } else {
            summary = value.message ?? '';
          }
        });
      try {
        const result = await client.sendRequest(ExecuteCommandRequest.type,
          { command: 'telinject.instrumentWorkspace', arguments: [], workDoneToken: token }, cancel);
        const applied = (result as { applied?: boolean } | null)?.applied;
        if (applied === false) {
          void vscode.window.showErrorMessage('telinject: VS Code did not apply the workspace edit.');
        } else {
          void vscode.window.showInformationMessage(
            `telinject: instrumented the workspace${summary ? ` (${summary})` : ''}.`);
        }
        return result;
      } catch (error) {
        if (cancel.isCancellationRequested ||
            (error instanceof ResponseError && error.code === LSPErrorCodes.RequestCancelled)) {
          void vscode.window.showInformationMessage('telinject: workspace instrumentation cancelled.');
          return undefined;
        }
        throw error;
      } finally {
        listener.dispose();
      }
    });
}

function describeCacheStats(stats: Record<string, unknown>): string {
  const kib = Math.round(Number(stats.bytes ?? 0) / 1024);
  return `telinject cache ${stats.directory}: ${stats.scripts} scripts, ${stats.tests} tests, ` +
    `${stats.files} file records, ${kib} KiB; ${stats.hits} hits, ${stats.misses} misses, ` +
    `${stats.damaged} damaged`;
}

/**
 * vscode-languageclient registers the server's commands (executeCommandProvider) as VS Code
 * commands; this middleware completes their arguments and shows their answers.
 */
export async function executeServerCommand(
  client: () => LanguageClient | undefined, output: vscode.OutputChannel, command: string,
  args: unknown[], next: (command: string, args: unknown[]) => vscode.ProviderResult<unknown>,
): Promise<unknown> {
  const current = client();
  if (command === 'telinject.instrumentWorkspace' && current) return instrumentWorkspace(current);
  if (DOCUMENT_COMMANDS.has(command)) {
    const uri = documentArgument(args);
    if (!uri) {
      void vscode.window.showInformationMessage('telinject: open a file first.');
      return undefined;
    }
    args = [uri, ...args.slice(1)];
  }
  const result = await next(command, args);
  if (command === 'telinject.cacheStats' && result && typeof result === 'object') {
    const text = describeCacheStats(result as Record<string, unknown>);
    output.appendLine(text);
    void vscode.window.showInformationMessage(text);
  } else if (command === 'telinject.clearCache') {
    void vscode.window.showInformationMessage('telinject: the script cache is cleared.');
  }
  return result;
}
