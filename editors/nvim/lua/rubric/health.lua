--- :checkhealth rubric: the server program, its version, Neovim's, and the running clients.
local M = {}

-- vim.health.start/ok/... from Neovim 0.10; report_start/report_ok/... before.
local health = vim.health or require("health")
local start = health.start or health.report_start
local ok = health.ok or health.report_ok
local warn = health.warn or health.report_warn
local fail = health.error or health.report_error
local info = health.info or health.report_info

local function server_cmd()
  local rubric = require("rubric")
  if rubric.options and rubric.options.cmd then
    return rubric.options.cmd
  end
  local configured = vim.lsp.config and vim.lsp.config.rubric
  return (configured and configured.cmd) or { "rubric-lsp" }
end

function M.check()
  start("rubric")
  if vim.fn.has("nvim-0.7") == 1 then
    ok("Neovim " .. tostring(vim.version().major) .. "." .. tostring(vim.version().minor))
  else
    fail("Neovim 0.7 or newer is needed")
  end
  local cmd = server_cmd()
  local program = type(cmd) == "table" and cmd[1] or nil
  if type(program) ~= "string" then
    info("the server command is a function: not checked")
  elseif vim.fn.executable(program) == 1 then
    local version = vim.fn.system({ program, "--version" })
    if vim.v.shell_error == 0 then
      ok("server: " .. vim.fn.exepath(program) .. " (" .. vim.trim(version) .. ")")
    else
      fail("server: " .. program .. " --version failed: " .. vim.trim(version))
    end
  else
    fail("server: " .. program .. " is not executable", {
      "pipx install rubric-lsp (or uv tool install rubric-lsp)",
      "or set cmd in require('rubric').setup({ cmd = { '/path/to/rubric-lsp' } })",
    })
  end
  if vim.lsp.enable then
    info('Neovim 0.11+: vim.lsp.enable("rubric") uses lsp/rubric.lua from this plugin')
  end
  local clients = require("rubric").options and require("rubric").clients() or {}
  if vim.lsp.get_clients then
    clients = vim.lsp.get_clients({ name = "rubric" })
  end
  if #clients == 0 then
    warn("no rubric client is running (open a .rubric file)")
  else
    for _, client in ipairs(clients) do
      ok("client " .. client.id .. " serves " .. tostring(client.config.root_dir))
    end
  end
end

return M
