-- A real Neovim (0.7+) as the client of telinject-lsp, run headless by tests/e2e/test_neovim.py:
--
--   nvim --headless -u NONE -i NONE -n -S instrument_function.lua
--
-- Configured by environment variables:
--   TELINJECT_LSP     the server binary (required)
--   TEST_FILE         the Python file to open (required)
--   RESULT_FILE       where the JSON result is written (required)
--   ROOT_DIR          the workspace root (default: the directory of TEST_FILE)
--   CACHE_DIR         the server's cacheDirectory (default: ROOT_DIR/.telinject-cache)
--   ON_SAVE=1         the on-save phase instead of the quick-fix phase
--   FUNCTION          quick fix: the qualified name to instrument (default: the first diagnostic)
--   CODE_ACTION_VIA   quick fix: "request" (default) sends textDocument/codeAction and
--                     codeAction/resolve itself and applies the edit with
--                     vim.lsp.util.apply_workspace_edit; "menu" goes through Neovim's own
--                     vim.lsp.buf.code_action() with vim.ui.select answering like a user would
--   DOCUMENT_CHANGES=1  also declare workspace.workspaceEdit.documentChanges (Neovim 0.7's own
--                     capabilities do not), so the server may send CreateFile/TextDocumentEdit
--   TIMEOUT_MS        the bound on every wait (default 10000); nothing waits forever
--
-- Quick-fix phase: open the file, attach the client, wait for telinject's diagnostics, get the
-- "Instrument function `...`" action at the chosen diagnostic, resolve it when it has no edit,
-- apply it, wait for the diagnostics of the edited buffer, then `:wall` (as a user saves what
-- the edit touched) and record what is on disk.
-- On-save phase: start the server with onSave=true, answer BufWritePre with a synchronous
-- textDocument/willSaveWaitUntil and apply its text edits, `:write`, record the file on disk.
--
-- Either way the result (everything seen, and `errors`) goes to RESULT_FILE as JSON; the exit
-- code is 0 when `errors` is empty, 1 otherwise (`:cquit 1`).

local api = vim.api
local uv = vim.loop

local result = {
  neovim = vim.version(),
  errors = {},
  server_messages = {},
  publish = {},        -- every textDocument/publishDiagnostics, as the server sent it
  requests = {},       -- method -> the params sent, for requests this script makes
}

local function fail(message)
  table.insert(result.errors, message)
end

local function encode(value)
  if vim.json and vim.json.encode then return vim.json.encode(value) end
  return vim.fn.json_encode(value)
end

local function write_result()
  local path = os.getenv("RESULT_FILE")
  if not path or path == "" then
    io.stderr:write("RESULT_FILE is not set\n")
    return
  end
  local ok, text = pcall(encode, result)
  if not ok then text = encode({ errors = { "cannot encode the result: " .. tostring(text) } }) end
  local handle = assert(io.open(path, "w"))
  handle:write(text)
  handle:close()
end

local function read_file(path)
  local handle = io.open(path, "rb")
  if not handle then return nil end
  local text = handle:read("*a")
  handle:close()
  return text
end

local function env(name, default)
  local value = os.getenv(name)
  if value == nil or value == "" then return default end
  return value
end

local timeout = tonumber(env("TIMEOUT_MS", "10000"))
local client_id
local server_exit

local function stop_server()
  -- shutdown + exit, as Neovim does; the server's exit code shows it followed the lifecycle.
  if not client_id then return end
  local client = vim.lsp.get_client_by_id(client_id)
  if client then client.stop() end
  if not vim.wait(timeout, function() return server_exit ~= nil end, 10) then
    fail("the server did not exit within " .. timeout .. " ms of shutdown/exit")
  end
end

local function has_line(lines, wanted)
  for _, line in ipairs(lines) do
    if line == wanted then return true end
  end
  return false
end

-- A line `with _telinject.span("<name>"):`, whatever its indentation.
local function has_span(lines, name)
  local wanted = 'with _telinject.span("' .. name .. '"):'
  for _, line in ipairs(lines) do
    if vim.trim(line) == wanted then return true end
  end
  return false
end

local IMPORT_LINE = "import telinject_runtime as _telinject  # isort: skip"

-- Diagnostics of one published version (the newest publish for `version`).
local function published(version)
  for i = #result.publish, 1, -1 do
    local p = result.publish[i]
    if p.version == version then return p.diagnostics end
  end
  return nil
end

local function function_names(diagnostics)
  local names = {}
  for _, d in ipairs(diagnostics or {}) do
    table.insert(names, d.data and d.data["function"] or vim.NIL)
  end
  return names
end

local function helper_state(path)
  local state = { path = path, on_disk = uv.fs_stat(path) ~= nil }
  local bufnr = vim.fn.bufnr(path)
  state.buffer = bufnr ~= -1
  if bufnr ~= -1 then
    state.loaded = api.nvim_buf_is_loaded(bufnr)
    if state.loaded then
      state.modified = api.nvim_buf_get_option(bufnr, "modified")
      state.lines = api.nvim_buf_get_lines(bufnr, 0, -1, false)
    end
  end
  return state
end

local function main()
  local server = env("TELINJECT_LSP")
  local file = env("TEST_FILE")
  if not server or not file then
    fail("TELINJECT_LSP and TEST_FILE must be set")
    return
  end
  file = vim.fn.fnamemodify(file, ":p")
  local root = vim.fn.fnamemodify(env("ROOT_DIR", vim.fn.fnamemodify(file, ":h")), ":p"):gsub("/$", "")
  local on_save = env("ON_SAVE") == "1"
  result.phase = on_save and "on_save" or "quick_fix"

  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local bufnr = api.nvim_get_current_buf()
  local uri = vim.uri_from_bufnr(bufnr)
  result.uri = uri

  local capabilities = vim.lsp.protocol.make_client_capabilities()
  if env("DOCUMENT_CHANGES") == "1" then
    capabilities.workspace.workspaceEdit.documentChanges = true
  end
  result.client_workspace_edit = capabilities.workspace.workspaceEdit
  result.client_code_action_resolve = capabilities.textDocument.codeAction.resolveSupport

  local default_publish = vim.lsp.handlers["textDocument/publishDiagnostics"]
  client_id = vim.lsp.start_client({
    name = "telinject",
    cmd = { server, "--stdio" },
    root_dir = root,
    capabilities = capabilities,
    init_options = {
      debounceMs = 0,
      cacheDirectory = env("CACHE_DIR", root .. "/.telinject-cache"),
      onSave = on_save,
    },
    handlers = {
      ["textDocument/publishDiagnostics"] = function(err, params, ctx, config)
        table.insert(result.publish, vim.deepcopy(params))
        return default_publish(err, params, ctx, config)
      end,
      ["window/logMessage"] = function(_, params)
        table.insert(result.server_messages, params)
      end,
      ["window/showMessage"] = function(_, params)
        table.insert(result.server_messages, params)
      end,
    },
    on_exit = function(code, signal)
      server_exit = { code = code, signal = signal }
    end,
  })
  if not client_id then
    fail("vim.lsp.start_client returned nil")
    return
  end
  if not vim.lsp.buf_attach_client(bufnr, client_id) then
    fail("vim.lsp.buf_attach_client failed")
    return
  end

  local function client()
    return vim.lsp.get_client_by_id(client_id)
  end
  if not vim.wait(timeout, function() return client() and client().initialized end, 10) then
    fail("the server did not answer initialize within " .. timeout .. " ms")
    return
  end
  local c = client()
  result.offset_encoding = c.offset_encoding
  result.server_capabilities = c.server_capabilities
  result.server_info = c.server_info or vim.NIL

  -- The diagnostics, both as the server sent them and as vim.diagnostic holds them.
  local got = vim.wait(timeout, function() return #vim.diagnostic.get(bufnr) > 0 end, 10)
  result.vim_diagnostics = vim.diagnostic.get(bufnr)
  if not got then
    fail("no diagnostics for the buffer within " .. timeout .. " ms")
    return
  end
  local opened = result.publish[#result.publish]
  result.initial_version = opened.version
  result.initial_functions = function_names(opened.diagnostics)

  if on_save then
    result.buffer_before = api.nvim_buf_get_lines(bufnr, 0, -1, false)
    api.nvim_create_autocmd("BufWritePre", {
      buffer = bufnr,
      callback = function()
        local params = { textDocument = { uri = uri }, reason = 1 }
        result.requests["textDocument/willSaveWaitUntil"] = params
        local response, err = client().request_sync("textDocument/willSaveWaitUntil", params, timeout, bufnr)
        if not response then
          fail("willSaveWaitUntil: " .. tostring(err))
          return
        end
        if response.err then
          fail("willSaveWaitUntil answered an error: " .. encode(response.err))
          return
        end
        result.will_save_edits = vim.deepcopy(response.result)
        if type(response.result) == "table" then
          vim.lsp.util.apply_text_edits(response.result, bufnr, client().offset_encoding)
        end
      end,
    })
    vim.cmd("silent write")
    result.buffer_lines = api.nvim_buf_get_lines(bufnr, 0, -1, false)
    result.modified_after_write = api.nvim_buf_get_option(bufnr, "modified")
    -- The saved text reaches the server (didChange) and is diagnosed again.
    local saved_version = vim.lsp.util.buf_versions[bufnr]
    result.versions = { before = result.initial_version, after = saved_version }
    if not vim.wait(timeout, function() return published(saved_version) ~= nil end, 10) then
      fail("no diagnostics for version " .. tostring(saved_version) .. " within " .. timeout .. " ms")
    else
      result.diagnostics_after_save = published(saved_version)
    end
    result.disk_text = read_file(file) or vim.NIL
    result.helper = helper_state(root .. "/telinject_runtime.py")
    local disk = vim.split(read_file(file) or "", "\n", true)
    if not has_line(disk, IMPORT_LINE) then fail("the saved file has no import of the helper") end
    for _, d in ipairs(opened.diagnostics) do
      local name = d.data and d.data["function"]
      if name and not has_span(disk, name) then
        fail("the saved file has no span for " .. name)
      end
    end
  else
    -- The chosen diagnostic, as the server published it.
    local wanted = env("FUNCTION")
    local diagnostic
    for _, d in ipairs(opened.diagnostics) do
      if not wanted or (d.data and d.data["function"] == wanted) then
        diagnostic = d
        break
      end
    end
    if not diagnostic then
      fail("no diagnostic for " .. tostring(wanted))
      return
    end
    local name = diagnostic.data["function"]
    result.chosen = name
    local title = "Instrument function `" .. name .. "`"
    local version_before = vim.lsp.util.buf_versions[bufnr]

    if env("CODE_ACTION_VIA", "request") == "menu" then
      -- Neovim's own code-action path: the user puts the cursor on the name and picks the action.
      result.via = "menu"
      local picked = false
      vim.ui.select = function(items, _, on_choice)
        result.action_titles = {}
        local choice, index
        for i, item in ipairs(items) do
          local action = item[2]
          table.insert(result.action_titles, action.title)
          if action.title == title and not choice then choice, index = item, i end
        end
        result.action = choice and choice[2] or vim.NIL
        picked = true
        on_choice(choice, index)
      end
      api.nvim_win_set_cursor(0, { diagnostic.range.start.line + 1, diagnostic.range.start.character })
      vim.lsp.buf.code_action()
      if not vim.wait(timeout, function() return picked end, 10) then
        fail("vim.lsp.buf.code_action() offered no menu within " .. timeout .. " ms")
        return
      end
      if result.action == vim.NIL then
        fail("no action titled " .. title)
        return
      end
      local applied = vim.wait(timeout, function()
        return has_line(api.nvim_buf_get_lines(bufnr, 0, -1, false), IMPORT_LINE)
      end, 10)
      if not applied then fail("the chosen action did not change the buffer within " .. timeout .. " ms") end
    else
      result.via = "request"
      local params = {
        textDocument = { uri = uri },
        range = diagnostic.range,
        context = { diagnostics = { diagnostic } },
      }
      result.requests["textDocument/codeAction"] = params
      local response, err = c.request_sync("textDocument/codeAction", params, timeout, bufnr)
      if not response then
        fail("textDocument/codeAction: " .. tostring(err))
        return
      end
      if response.err then
        fail("textDocument/codeAction answered an error: " .. encode(response.err))
        return
      end
      result.actions = response.result
      result.action_titles = {}
      local action
      for _, a in ipairs(response.result or {}) do
        table.insert(result.action_titles, a.title)
        if a.title == title and not action then action = a end
      end
      if not action then
        fail("no action titled " .. title)
        return
      end
      result.action = action
      local edit = action.edit
      result.resolved_lazily = edit == nil
      if edit == nil then
        result.requests["codeAction/resolve"] = action
        local resolved, rerr = c.request_sync("codeAction/resolve", action, timeout, bufnr)
        if not resolved then
          fail("codeAction/resolve: " .. tostring(rerr))
          return
        end
        if resolved.err then
          fail("codeAction/resolve answered an error: " .. encode(resolved.err))
          return
        end
        result.resolved = resolved.result
        edit = resolved.result and resolved.result.edit
      end
      if type(edit) ~= "table" then
        fail("the action has no edit, even resolved")
        return
      end
      result.edit = vim.deepcopy(edit)  -- applying adds fields to the edits
      vim.lsp.util.apply_workspace_edit(edit, c.offset_encoding)
      -- Then the action's command, if it has one, as vim.lsp.buf.code_action() does.
      local command = (result.resolved or action).command
      if type(command) == "table" then
        local command_params = { command = command.command, arguments = command.arguments }
        result.requests["workspace/executeCommand"] = command_params
        local executed, cerr = c.request_sync("workspace/executeCommand", command_params, timeout, bufnr)
        if not executed or executed.err then
          fail("workspace/executeCommand " .. tostring(command.command) .. ": " ..
               (executed and encode(executed.err) or tostring(cerr)))
        end
      end
    end

    result.buffer_lines = api.nvim_buf_get_lines(bufnr, 0, -1, false)
    result.helper_after_edit = helper_state(root .. "/telinject_runtime.py")
    if not has_line(result.buffer_lines, IMPORT_LINE) then fail("the buffer has no import of the helper") end
    if not has_span(result.buffer_lines, name) then
      fail("the buffer has no span for " .. name)
    end

    -- The edited buffer reaches the server (incremental didChange) and is diagnosed again.
    local version_after = vim.lsp.util.buf_versions[bufnr]
    result.versions = { before = version_before, after = version_after }
    if version_after == version_before then
      fail("the edit did not change the buffer's version")
    elseif not vim.wait(timeout, function() return published(version_after) ~= nil end, 10) then
      fail("no diagnostics for version " .. tostring(version_after) .. " within " .. timeout .. " ms")
    else
      result.diagnostics_after_edit = published(version_after)
    end

    -- Save what the edit touched, as a user would, and look at the disk.
    vim.cmd("silent wall")
    result.disk_text = read_file(file) or vim.NIL
    result.helper = helper_state(root .. "/telinject_runtime.py")
  end
end

local ok, err = xpcall(main, debug.traceback)
if not ok then fail("Lua error: " .. tostring(err)) end
local stopped, stop_err = pcall(stop_server)
if not stopped then fail("stopping the server: " .. tostring(stop_err)) end
result.server_exit = server_exit or vim.NIL
result.lsp_log = vim.lsp.get_log_path()
write_result()
if #result.errors == 0 then
  vim.cmd("qa!")
else
  vim.cmd("cquit 1")
end
