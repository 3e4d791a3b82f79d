// The status bar item: the server's state and the current file's functions without telemetry.
import * as vscode from 'vscode';

export type ServerState = 'starting' | 'running' | 'stopped' | 'missing';

/** True for telinject's "has no telemetry" diagnostics (code "uninstrumented"). */
export function isUninstrumented(diagnostic: vscode.Diagnostic): boolean {
  const code = typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code;
  return diagnostic.source === 'telinject' && code === 'uninstrumented';
}

export class StatusIndicator implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly subscriptions: vscode.Disposable[] = [];
  private state: ServerState = 'starting';
  private detail = '';

  constructor() {
    this.item = vscode.window.createStatusBarItem('telinject.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'telinject';
    this.item.command = 'telinject.showOutput';
    this.subscriptions.push(
      vscode.languages.onDidChangeDiagnostics((event) => {
        const current = vscode.window.activeTextEditor?.document.uri.toString();
        if (current && event.uris.some((uri) => uri.toString() === current)) this.refresh();
      }),
      vscode.window.onDidChangeActiveTextEditor(() => this.refresh()));
    this.refresh();
    this.item.show();
  }

  /** `detail` goes to the tooltip (the server's path, or why it is missing). */
  setState(state: ServerState, detail = this.detail): void {
    this.state = state;
    this.detail = detail;
    this.refresh();
  }

  private refresh(): void {
    const document = vscode.window.activeTextEditor?.document;
    const count = document
      ? vscode.languages.getDiagnostics(document.uri).filter(isUninstrumented).length : 0;
    const tooltip = new vscode.MarkdownString(undefined, true);
    switch (this.state) {
      case 'starting':
        this.item.text = '$(sync~spin) telinject';
        tooltip.appendText('telinject-lsp is starting');
        break;
      case 'stopped':
        this.item.text = '$(debug-stop) telinject';
        tooltip.appendText('telinject-lsp is stopped (telinject: Restart Server starts it again)');
        break;
      case 'missing':
        this.item.text = '$(warning) telinject: no server';
        tooltip.appendText('telinject-lsp was not found');
        break;
      case 'running':
        this.item.text = count > 0 ? `$(pulse) telinject: ${count} uninstrumented` : '$(pulse) telinject';
        tooltip.appendText(count === 1 ? '1 function in this file has no telemetry'
          : `${count} functions in this file have no telemetry`);
        break;
    }
    if (this.detail) tooltip.appendText(`\n\n${this.detail}`);
    this.item.tooltip = tooltip;
    this.item.backgroundColor = this.state === 'missing'
      ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.item.dispose();
  }
}
