-- Neovim 0.11's own way: vim.lsp.enable("rubric") with the plugin's lsp/rubric.lua, no setup(),
-- then :checkhealth rubric. Run by run_nvim_e2e.sh (RUBRIC_E2E_SCRIPT) with a 0.11 nvim first
-- on PATH; quits with status 0 only when every check passed.

local TIMEOUT_MS = 20000
local results = { passed = 0, failed = 0 }

local function log(line)
  io.stdout:write(line .. "\n")
  io.stdout:flush()
end

local function check(name, fn)
  local ok, err = pcall(fn)
  results[ok and "passed" or "failed"] = results[ok and "passed" or "failed"] + 1
  log((ok and "ok     " or "FAILED ") .. name .. (ok and "" or (": " .. tostring(err))))
  return ok
end

local function main()
  local dir = assert(os.getenv("RUBRIC_E2E_DIR"))
  local workspace = dir .. "/workspace"
  vim.fn.mkdir(workspace, "p")
  local path = workspace .. "/review.rubric"
  local file = assert(io.open(path, "w"))
  file:write("reward_rubric {\n  criterion correctness weight=3\n}\nbogus {\n}\n")
  file:close()
  vim.fn.system({ "git", "-C", workspace, "init", "-q" })

  check("vim.lsp.enable knows the rubric config", function()
    assert(vim.fn.has("nvim-0.11") == 1, "this test needs Neovim 0.11")
    vim.lsp.config("rubric", { cmd = { assert(os.getenv("RUBRIC_LSP_CMD")) } })
    vim.lsp.enable("rubric")
    assert(vim.lsp.config.rubric.filetypes[1] == "rubric")
  end)

  vim.cmd("filetype plugin on")
  vim.cmd("edit " .. vim.fn.fnameescape(path))
  local bufnr = vim.api.nvim_get_current_buf()

  check("opening a rubric starts the server and shows its diagnostics", function()
    local found = vim.wait(TIMEOUT_MS, function()
      return #vim.diagnostic.get(bufnr) > 0
    end, 100)
    assert(found, "no diagnostics")
    local clients = vim.lsp.get_clients({ bufnr = bufnr, name = "rubric" })
    assert(#clients == 1, "clients: " .. #clients)
    assert(clients[1].config.root_dir == workspace, tostring(clients[1].config.root_dir))
    local messages = {}
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      table.insert(messages, d.message)
    end
    assert(table.concat(messages, "\n"):find("bogus", 1, true), table.concat(messages, "\n"))
  end)

  check(":checkhealth rubric finds the server and the client", function()
    vim.cmd("checkhealth rubric")
    local text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\n")
    assert(text:find("server: ", 1, true), text)
    assert(text:find("rubric%-lsp ") , text)
    assert(text:find("serves " .. workspace, 1, true), text)
  end)

  log(string.format("%d passed, %d failed", results.passed, results.failed))
  for _, client in ipairs(vim.lsp.get_clients()) do
    pcall(vim.lsp.stop_client, client.id)
  end
  vim.cmd(results.failed > 0 and "cquit! 1" or "qall!")
end

local ok, err = pcall(main)
if not ok then
  log("FAILED " .. tostring(err))
  vim.cmd("cquit! 1")
end
