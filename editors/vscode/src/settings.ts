// The settings the server reads (section "telinject"), in the server's own shape.
import * as vscode from 'vscode';

/** Setting names (under "telinject.") that the server reads, with the key it reads them as. */
const SERVER_KEYS = [
  'profile', 'diagnostics', 'severity', 'onSave', 'include', 'exclude', 'cacheDirectory',
  'debounceMs', 'logLevel',
] as const;

const LLM_KEYS = ['enabled', 'provider', 'model', 'baseUrl', 'budget', 'timeout'] as const;

/** The most specific value the user set for `key`, or undefined when it is only the default. */
function explicitValue<T>(config: vscode.WorkspaceConfiguration, key: string): T | undefined {
  const inspected = config.inspect<T>(key);
  if (!inspected) return undefined;
  return inspected.workspaceFolderLanguageValue ?? inspected.workspaceFolderValue ??
    inspected.workspaceLanguageValue ?? inspected.workspaceValue ??
    inspected.globalLanguageValue ?? inspected.globalValue;
}

/**
 * The settings for the server, for the folder `scope` (or the window when undefined).
 *
 * Only values the user set are sent: a key left out lets the project's own configuration
 * (.telinject.toml, pyproject.toml, .env) decide, which is what the server applies first.
 * API keys are never settings: the server reads them from the environment or the project's .env.
 */
export function serverSettings(scope?: vscode.Uri): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration('telinject', scope);
  const settings: Record<string, unknown> = {};
  for (const key of SERVER_KEYS) {
    const value = explicitValue<unknown>(config, key);
    if (value !== undefined) settings[key] = value;
  }
  const llm: Record<string, unknown> = {};
  for (const key of LLM_KEYS) {
    const value = explicitValue<unknown>(config, `llm.${key}`);
    if (value !== undefined && value !== '') llm[key] = value;
  }
  if (Object.keys(llm).length > 0) settings.llm = llm;
  return settings;
}
