-- The telinject Neovim plugin (editors/neovim) in a real headless Neovim, run by
-- tests/e2e/test_neovim.py:
--
--   nvim --headless -u NONE -i NONE -n -S plugin_session.lua
--
-- Environment: PLUGIN_DIR (editors/neovim), TELINJECT_LSP, TEST_FILE, CACHE_DIR, RESULT_FILE,
-- TIMEOUT_MS. Loads the plugin, opens the file (the FileType autocommand starts the server),
-- waits for the diagnostics, puts the cursor on the first one and runs
-- :TelinjectInstrumentFunction, then :write with on_save on, and records the buffer, the
-- diagnostics and the file on disk as JSON in RESULT_FILE. Exit code 0 when nothing failed.
local api = vim.api
local result = { errors = {}, neovim = vim.version() }
local function fail(message) table.insert(result.errors, message) end
local function env(name) local v = os.getenv(name); return (v ~= nil and v ~= "") and v or nil end
local timeout = tonumber(env("TIMEOUT_MS") or "10000")

local function read(path)
  local handle = io.open(path, "rb")
  if not handle then return nil end
  local text = handle:read("*a")
  handle:close()
  return text
end

local function main()
  vim.opt.runtimepath:prepend(env("PLUGIN_DIR"))
  vim.cmd("filetype on")
  local telinject = require("telinject")
  telinject.setup({
    cmd = { env("TELINJECT_LSP"), "--stdio" },
    on_save = true,
    settings = { cacheDirectory = env("CACHE_DIR"), debounceMs = 0 },
  })
  vim.cmd("edit " .. vim.fn.fnameescape(env("TEST_FILE")))
  local bufnr = api.nvim_get_current_buf()
  result.filetype = vim.bo[bufnr].filetype
  if not vim.wait(timeout, function() return #vim.diagnostic.get(bufnr) > 0 end, 10) then
    fail("no diagnostics within " .. timeout .. " ms")
    return
  end
  local diagnostics = vim.diagnostic.get(bufnr)
  table.sort(diagnostics, function(a, b) return a.lnum < b.lnum end)
  result.diagnostics = {}
  for _, d in ipairs(diagnostics) do
    table.insert(result.diagnostics, { lnum = d.lnum, col = d.col, message = d.message, source = d.source })
  end
  -- The cursor on the first function's name, then the plugin's command.
  api.nvim_win_set_cursor(0, { diagnostics[1].lnum + 1, diagnostics[1].col })
  local before = vim.lsp.util.buf_versions[bufnr]
  vim.cmd("TelinjectInstrumentFunction")
  result.after_instrument_function = api.nvim_buf_get_lines(bufnr, 0, -1, false)
  if vim.lsp.util.buf_versions[bufnr] == before then fail("the command did not change the buffer") end
  -- The server sees the edited buffer: one diagnostic less.
  local fewer = vim.wait(timeout, function() return #vim.diagnostic.get(bufnr) == #diagnostics - 1 end, 10)
  if not fewer then fail("diagnostics did not drop to " .. (#diagnostics - 1)) end
  vim.cmd("silent write")
  result.disk = read(env("TEST_FILE"))
  result.after_write_diagnostics = vim.wait(timeout, function() return #vim.diagnostic.get(bufnr) == 0 end, 10)
end

local ok, err = xpcall(main, debug.traceback)
if not ok then fail("Lua error: " .. tostring(err)) end
for _, client in pairs(vim.lsp.get_active_clients()) do client.stop() end
vim.wait(timeout, function() return #vim.lsp.get_active_clients() == 0 end, 10)
local handle = assert(io.open(env("RESULT_FILE"), "w"))
handle:write(vim.fn.json_encode(result))
handle:close()
if #result.errors == 0 then vim.cmd("qa!") else vim.cmd("cquit 1") end
