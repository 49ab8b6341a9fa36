-- End-to-end test of the Neovim plugin against the real rubric-lsp.
--
-- Run by run_nvim_e2e.sh as
--   nvim --headless -u NONE -i NONE --cmd "set rtp^=editors/nvim" -c "luafile tests/editors/nvim_e2e.lua"
-- with RUBRIC_LSP_CMD (the server program) and RUBRIC_E2E_DIR (an empty
-- temporary directory) set. It opens a broken rubric in a git repository,
-- waits for the server's diagnostics, asks for completion and hover, checks
-- what they say, and quits with status 0 only when every check passed.

local TIMEOUT_MS = 20000
if os.getenv("RUBRIC_E2E_LSP_LOG") then
  vim.lsp.set_log_level("debug")
end

local results = { passed = 0, failed = 0 }

local function log(line)
  io.stdout:write(line .. "\n")
  io.stdout:flush()
end

local function check(name, fn)
  local ok, err = pcall(fn)
  if ok then
    results.passed = results.passed + 1
    log("ok     " .. name)
  else
    results.failed = results.failed + 1
    log("FAILED " .. name .. ": " .. tostring(err))
  end
  return ok
end

local function finish()
  log(string.format("%d passed, %d failed", results.passed, results.failed))
  local clients = (vim.lsp.get_clients or vim.lsp.get_active_clients)()
  for _, client in ipairs(clients) do
    pcall(vim.lsp.stop_client, client.id)
  end
  if results.failed > 0 then
    vim.cmd("cquit! 1")
  else
    vim.cmd("qall!")
  end
end

local function env(name)
  local value = os.getenv(name)
  assert(value and value ~= "", name .. " is not set")
  return value
end

local function write_file(path, lines)
  local file = assert(io.open(path, "w"))
  file:write(table.concat(lines, "\n") .. "\n")
  file:close()
end

-- Text of a hover's contents, whatever shape the server chose.
local function hover_text(contents)
  if type(contents) == "string" then
    return contents
  end
  if contents.value then
    return contents.value
  end
  local parts = {}
  for _, item in ipairs(contents) do
    table.insert(parts, type(item) == "string" and item or item.value or "")
  end
  return table.concat(parts, "\n")
end

local function completion_labels(result)
  local items = result and (result.items or result) or {}
  local labels = {}
  for _, item in ipairs(items) do
    labels[item.label] = item
  end
  return labels, #items
end

-- The first response without an error among all clients' answers.
local function first_result(responses)
  for _, response in pairs(responses or {}) do
    if response.err == nil and response.result ~= nil then
      return response.result
    end
  end
  return nil
end

local function main()
  local server = env("RUBRIC_LSP_CMD")
  local dir = env("RUBRIC_E2E_DIR")
  local workspace = dir .. "/workspace"
  vim.fn.mkdir(workspace, "p")
  local rubric_path = workspace .. "/review.rubric"
  -- Line numbers (0-based) used below: 4 is the score entry, 7 the unknown block, 9 empty.
  write_file(rubric_path, {
    "reward_rubric {", --                  0
    "  criterion correctness weight=3", -- 1
    "  criterion style weight=2", --       2
    "}", --                                3
    "score {", --                          4
    "  correctness 4", --                  5
    "}", --                                6
    "bogus {", --                          7
    "}", --                                8
    "", --                                 9
  })
  write_file(workspace .. "/app.py", { '"""The app."""', "", "", "def main():", '    """Run."""', "    return 1" })
  -- A real repository: saving scores the change against its HEAD.
  local git = { "git", "-C", workspace, "-c", "user.name=rubric", "-c", "user.email=rubric@localhost" }
  for _, args in ipairs({ { "init", "-q" }, { "add", "." }, { "commit", "-q", "-m", "start" } }) do
    vim.fn.system(vim.list_extend(vim.deepcopy(git), args))
    assert(vim.v.shell_error == 0, "git " .. args[1] .. " failed")
  end

  local rubric = require("rubric")
  rubric.setup({
    cmd = { server },
    settings = { rubric = { scoreOnSave = true, trusted = false } },
  })

  vim.cmd("filetype plugin on")
  vim.cmd("syntax on")
  vim.cmd("edit " .. vim.fn.fnameescape(rubric_path))
  local bufnr = vim.api.nvim_get_current_buf()

  check("filetype is detected", function()
    assert(vim.bo[bufnr].filetype == "rubric", "filetype is '" .. vim.bo[bufnr].filetype .. "'")
  end)
  check("syntax highlighting is loaded", function()
    assert(vim.b.current_syntax == "rubric", "b:current_syntax is " .. tostring(vim.b.current_syntax))
    local group = vim.fn.synIDattr(vim.fn.synID(1, 1, 1), "name")
    assert(group == "rubricBlock", "reward_rubric is highlighted as '" .. group .. "'")
  end)

  local client
  local attached = check("the server starts and attaches to the rubric", function()
    local seen, gone = false, false
    vim.wait(TIMEOUT_MS, function()
      client = rubric.clients(bufnr)[1]
      seen = seen or client ~= nil
      gone = seen and client == nil -- the server exited
      return gone or (client ~= nil and client.server_capabilities ~= nil)
    end, 50)
    assert(not gone, "the server exited during start-up (" .. server .. ")")
    assert(client and client.server_capabilities, "no rubric client initialized within " .. TIMEOUT_MS .. " ms")
    assert(client.config.root_dir == workspace, "root_dir is " .. tostring(client.config.root_dir))
  end)
  if not attached then
    return
  end

  check("completion is wired to omnifunc, and the commands exist", function()
    assert(vim.bo[bufnr].omnifunc == "v:lua.vim.lsp.omnifunc", "omnifunc is " .. vim.bo[bufnr].omnifunc)
    for _, command in ipairs({ "RubricScore", "RubricReport", "RubricRestart" }) do
      assert(vim.fn.exists(":" .. command) == 2, ":" .. command .. " is not defined")
    end
  end)

  check("diagnostics arrive: unknown-block from source rubric", function()
    local found
    local ok = vim.wait(TIMEOUT_MS, function()
      for _, diagnostic in ipairs(vim.diagnostic.get(bufnr)) do
        if diagnostic.code == "unknown-block" then
          found = diagnostic
          return true
        end
      end
      return false
    end, 50)
    assert(ok, "no unknown-block diagnostic; got " .. vim.inspect(vim.diagnostic.get(bufnr)))
    assert(found.source == "rubric", "source is " .. tostring(found.source))
    assert(found.lnum == 7, "on line " .. found.lnum .. ", expected 7")
    assert(found.severity == vim.diagnostic.severity.ERROR, "severity " .. tostring(found.severity))
    assert(found.message:find("bogus", 1, true), "message: " .. found.message)
    log("       diagnostic: " .. found.message)
  end)

  check("completion at top level offers the block keywords", function()
    local params = {
      textDocument = { uri = vim.uri_from_bufnr(bufnr) },
      position = { line = 9, character = 0 },
      context = { triggerKind = 1 },
    }
    local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/completion", params, TIMEOUT_MS)
    local labels, count = completion_labels(first_result(responses))
    for _, keyword in ipairs({ "task", "checks", "critique", "accept_if", "review_if" }) do
      local known = vim.inspect(vim.tbl_keys(labels))
      assert(labels[keyword], "no '" .. keyword .. "' among " .. count .. " items: " .. known)
    end
    local item = labels["accept_if"]
    assert(item.documentation ~= nil or item.detail ~= nil, "accept_if has no documentation")
    log("       " .. count .. " completion items, e.g. " .. table.concat(vim.tbl_keys(labels), ", "))
  end)

  check("hover on a criterion name shows its weight", function()
    local params = {
      textDocument = { uri = vim.uri_from_bufnr(bufnr) },
      position = { line = 5, character = 4 }, -- inside "correctness" in the score block
    }
    local responses = vim.lsp.buf_request_sync(bufnr, "textDocument/hover", params, TIMEOUT_MS)
    local result = first_result(responses)
    assert(result and result.contents, "no hover: " .. vim.inspect(responses))
    local text = hover_text(result.contents)
    assert(text:find("correctness", 1, true), "hover does not name the criterion: " .. text)
    assert(text:lower():find("weight", 1, true), "hover does not mention the weight: " .. text)
    assert(text:find("3", 1, true), "hover does not give the weight 3: " .. text)
    log("       hover: " .. text:gsub("\n", " ⏎ "):sub(1, 200))
  end)

  check("an edit that fixes the block clears its diagnostic", function()
    vim.api.nvim_buf_set_lines(bufnr, 7, 9, false, { "accept_if {", "  total_gte 3", "}" })
    local ok = vim.wait(TIMEOUT_MS, function()
      for _, diagnostic in ipairs(vim.diagnostic.get(bufnr)) do
        if diagnostic.code == "unknown-block" then
          return false
        end
      end
      return true
    end, 50)
    assert(ok, "unknown-block is still reported: " .. vim.inspect(vim.diagnostic.get(bufnr)))
  end)

  check(":RubricRestart starts a new server for the buffer", function()
    local old = client.id
    vim.cmd("RubricRestart")
    local fresh
    assert(
      vim.wait(TIMEOUT_MS, function()
        fresh = rubric.clients(bufnr)[1]
        return fresh ~= nil and fresh.id ~= old and fresh.server_capabilities ~= nil
      end, 50),
      "no new client attached after :RubricRestart"
    )
    client = fresh
  end)

  check("a Python file of the repository attaches to the same server", function()
    vim.cmd("edit " .. vim.fn.fnameescape(workspace .. "/app.py"))
    local python = vim.api.nvim_get_current_buf()
    assert(vim.bo[python].filetype == "python", "filetype " .. vim.bo[python].filetype)
    assert(
      vim.wait(TIMEOUT_MS, function()
        return vim.lsp.buf_is_attached(python, client.id)
      end, 50),
      "the Python buffer is not attached to the rubric client"
    )
  end)

  check("saving a Python file scores the change: a pylint finding on its line", function()
    local python = vim.api.nvim_get_current_buf()
    -- Scoring reads the rubric from disk: save the fixed one first.
    vim.api.nvim_buf_call(bufnr, function()
      vim.cmd("silent write")
    end)
    vim.api.nvim_buf_set_lines(python, 0, -1, false, { "import os", "", "", "def main():", "    return os.sep" })
    vim.cmd("silent write")
    local found
    local ok = vim.wait(TIMEOUT_MS, function()
      for _, diagnostic in ipairs(vim.diagnostic.get(python)) do
        if diagnostic.source == "rubric" and tostring(diagnostic.code):match("^style/") then
          found = diagnostic
          return true
        end
      end
      return false
    end, 100)
    assert(ok, "no style/* finding after :write; got " .. vim.inspect(vim.diagnostic.get(python)))
    log(string.format("       line %d: [%s] %s", found.lnum + 1, found.code, found.message))
  end)
end

local ok, err = pcall(main)
if not ok then
  results.failed = results.failed + 1
  log("FAILED (error) " .. tostring(err))
end
finish()
