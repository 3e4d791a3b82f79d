-- telinject for Neovim: starts telinject-lsp for the supported filetypes (one client per
-- project root), adds commands for its code actions, and instruments on save when asked.
-- Works with Neovim 0.7 (vim.lsp.start_client + buf_attach_client; no vim.lsp.start or
-- LspAttach there) and newer.
--
--   require("telinject").setup({
--     cmd = { "telinject-lsp", "--stdio" },  -- the server
--     on_save = false,                          -- instrument the file on :write
--     settings = { profile = "builtin", severity = "information" },  -- the server's settings
--   })
local M = {}

local defaults = {
  cmd = { "telinject-lsp", "--stdio" },
  filetypes = { "python", "javascript", "javascriptreact", "typescript", "typescriptreact", "go",
                "java", "rust", "c", "cpp", "ruby" },
  root_markers = { ".telinject.toml", "pyproject.toml", "go.mod", "package.json", "Cargo.toml",
                   "pom.xml", "build.gradle", "Gemfile", ".git" },
  on_save = false,
  settings = {},
  timeout_ms = 10000,
}

local config = vim.deepcopy(defaults)
local clients = {} -- root directory -> client id

local function notify(message, level)
  vim.notify("telinject: " .. message, level or vim.log.levels.INFO)
end

-- The nearest directory above `path` holding one of the root markers, else the file's directory.
local function find_root(path)
  local dir = vim.fn.fnamemodify(path, ":p:h")
  local current = dir
  while current and current ~= "" do
    for _, marker in ipairs(config.root_markers) do
      if vim.loop.fs_stat(current .. "/" .. marker) then return current end
    end
    local parent = vim.fn.fnamemodify(current, ":h")
    if parent == current then break end
    current = parent
  end
  return dir
end

local function client_for(bufnr)
  if bufnr == 0 then bufnr = vim.api.nvim_get_current_buf() end
  for _, id in pairs(clients) do
    if vim.lsp.buf_is_attached(bufnr, id) then return vim.lsp.get_client_by_id(id) end
  end
  return nil
end

local function server_settings()
  return vim.tbl_extend("force", config.settings, { onSave = config.on_save })
end

local function capabilities()
  local caps = vim.lsp.protocol.make_client_capabilities()
  -- Neovim applies CreateFile and TextDocumentEdit (vim.lsp.util.apply_workspace_edit), so the
  -- server may create its helper module in the same edit.
  caps.workspace.workspaceEdit = caps.workspace.workspaceEdit or {}
  caps.workspace.workspaceEdit.documentChanges = true
  caps.workspace.workspaceEdit.resourceOperations = { "create" }
  return caps
end

-- Starts (or reuses) the client of the buffer's project and attaches the buffer to it.
function M.attach(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local path = vim.api.nvim_buf_get_name(bufnr)
  if path == "" then return end
  local root = find_root(path)
  local id = clients[root]
  if not id or not vim.lsp.get_client_by_id(id) then
    if vim.fn.executable(config.cmd[1]) ~= 1 then
      notify("the server " .. config.cmd[1] .. " is not executable; set `cmd` in setup()", vim.log.levels.ERROR)
      return
    end
    id = vim.lsp.start_client({
      name = "telinject",
      cmd = config.cmd,
      root_dir = root,
      workspace_folders = { { uri = vim.uri_from_fname(root), name = vim.fn.fnamemodify(root, ":t") } },
      capabilities = capabilities(),
      init_options = server_settings(),
      settings = { telinject = server_settings() },
      on_exit = function() clients[root] = nil end,
    })
    if not id then
      notify("could not start " .. config.cmd[1], vim.log.levels.ERROR)
      return
    end
    clients[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
  if config.on_save then
    local group = vim.api.nvim_create_augroup("telinject_on_save_" .. bufnr, { clear = true })
    vim.api.nvim_create_autocmd("BufWritePre", {
      group = group,
      buffer = bufnr,
      callback = function() M.instrument_on_save(bufnr) end,
    })
  end
end

-- Neovim's client does not send willSaveWaitUntil itself: ask, and apply the edits.
function M.instrument_on_save(bufnr)
  local client = client_for(bufnr)
  if not client then return end
  local params = { textDocument = vim.lsp.util.make_text_document_params(bufnr), reason = 1 }
  local response, err = client.request_sync("textDocument/willSaveWaitUntil", params, config.timeout_ms, bufnr)
  if not response then
    notify("on-save instrumentation: " .. tostring(err), vim.log.levels.WARN)
  elseif response.err then
    notify("on-save instrumentation: " .. tostring(response.err.message), vim.log.levels.WARN)
  elseif type(response.result) == "table" and #response.result > 0 then
    vim.lsp.util.apply_text_edits(response.result, bufnr, client.offset_encoding)
  end
end

-- Applies the first code action at the cursor that `wanted(action)` picks: resolves it when it
-- comes without an edit, applies the edit, runs its command. Returns true when one was applied.
local function apply_action(bufnr, only, wanted)
  local client = client_for(bufnr)
  if not client then
    notify("no telinject server for this buffer", vim.log.levels.WARN)
    return false
  end
  local params = vim.lsp.util.make_range_params(0, client.offset_encoding)
  -- The server finds the function at the cursor by itself; no diagnostics need to come along.
  params.context = { diagnostics = {}, only = only }
  local response = client.request_sync("textDocument/codeAction", params, config.timeout_ms, bufnr)
  if not response or response.err then
    notify("code actions: " .. (response and response.err.message or "no answer"), vim.log.levels.WARN)
    return false
  end
  for _, action in ipairs(response.result or {}) do
    if wanted(action) then
      if not action.edit then
        local resolved = client.request_sync("codeAction/resolve", action, config.timeout_ms, bufnr)
        if not resolved or resolved.err then
          notify("resolve: " .. (resolved and resolved.err.message or "no answer"), vim.log.levels.WARN)
          return false
        end
        action = resolved.result
      end
      if action.edit then vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding) end
      if type(action.command) == "table" then
        client.request_sync("workspace/executeCommand",
          { command = action.command.command, arguments = action.command.arguments }, config.timeout_ms, bufnr)
      end
      return true
    end
  end
  notify("nothing to do here", vim.log.levels.INFO)
  return false
end

function M.instrument_function(bufnr)
  return apply_action(bufnr or 0, { "quickfix" }, function(a)
    return vim.startswith(a.title, "Instrument function")
  end)
end

function M.instrument_file(bufnr)
  return apply_action(bufnr or 0, { "source.telinject.instrumentFile" }, function(a)
    return a.kind == "source.telinject.instrumentFile"
  end)
end

function M.remove_file(bufnr)
  return apply_action(bufnr or 0, { "source.telinject.removeFile" }, function(a)
    return a.kind == "source.telinject.removeFile"
  end)
end

local function execute(command, arguments)
  local client = client_for(0)
  if not client then
    notify("no telinject server for this buffer", vim.log.levels.WARN)
    return nil
  end
  local response = client.request_sync("workspace/executeCommand",
    { command = command, arguments = arguments }, config.timeout_ms * 6, 0)
  if not response or response.err then
    notify(command .. ": " .. (response and response.err.message or "no answer"), vim.log.levels.WARN)
    return nil
  end
  return response.result
end

function M.setup(opts)
  config = vim.tbl_deep_extend("force", vim.deepcopy(defaults), opts or {})
  local group = vim.api.nvim_create_augroup("telinject", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = config.filetypes,
    callback = function(args) M.attach(args.buf) end,
  })
  vim.api.nvim_create_user_command("TelinjectInstrumentFunction", function() M.instrument_function(0) end, {})
  vim.api.nvim_create_user_command("TelinjectInstrumentFile", function() M.instrument_file(0) end, {})
  vim.api.nvim_create_user_command("TelinjectRemoveFile", function() M.remove_file(0) end, {})
  vim.api.nvim_create_user_command("TelinjectInstrumentWorkspace", function()
    execute("telinject.instrumentWorkspace", {})
  end, {})
  vim.api.nvim_create_user_command("TelinjectCacheStats", function()
    local stats = execute("telinject.cacheStats", { vim.uri_from_bufnr(0) })
    if stats then notify(vim.inspect(stats)) end
  end, {})
  -- Buffers already open when setup() runs.
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(config.filetypes, vim.bo[bufnr].filetype) then
      M.attach(bufnr)
    end
  end
end

return M
