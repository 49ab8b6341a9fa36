--- Neovim client for rubric-lsp, the language server of .rubric files.
---
--- require("rubric").setup({ cmd = { "rubric-lsp" }, settings = { rubric = { base = "main" } } })
---
--- starts the server for rubric buffers, and for Python buffers of a git
--- repository that has a *.rubric at its root (so that saving them scores the
--- change). `cmd` and `settings` mean what they mean in nvim-lspconfig:
--- `settings.rubric` is sent as initializationOptions and answers
--- workspace/configuration for the section "rubric". Works on Neovim 0.7
--- (vim.lsp.start_client + vim.lsp.buf_attach_client) and uses vim.lsp.start
--- where it exists.

local M = {}

local uv = vim.uv or vim.loop

local SECTION = "rubric"

local defaults = {
  name = "rubric",
  cmd = { "rubric-lsp" },
  -- { rubric = { rubric = "", base = "HEAD", scoreOnSave = true, trusted = false,
  --              healThreshold = 0.8, critics = { bandit = { enabled = true, timeout = 60 } },
  --              python = "" } }  -- python: $VIRTUAL_ENV/bin/python when a virtualenv is active
  settings = {},
  filetypes = { "rubric", "python" },
  -- Sent as initializationOptions; defaults to settings.rubric.
  init_options = nil,
  capabilities = nil,
  on_attach = nil,
  -- Start the server for Python buffers of a git repository with a *.rubric at its root.
  python = true,
}

--- Options in force after setup().
M.options = nil

-- Client ids by root directory, for Neovim versions without vim.lsp.start.
local clients_by_root = {}

local function exists(path)
  return uv.fs_stat(path) ~= nil
end

local function is_dir(path)
  local stat = uv.fs_stat(path)
  return stat ~= nil and stat.type == "directory"
end

local function parent(path)
  return vim.fn.fnamemodify(path, ":h")
end

--- The nearest directory at or above `path` that holds a .git entry, or nil.
function M.git_root(path)
  local dir = is_dir(path) and path or parent(path)
  while dir and dir ~= "" do
    if exists(dir .. "/.git") then
      return dir
    end
    local up = parent(dir)
    if up == dir then
      return nil
    end
    dir = up
  end
  return nil
end

--- Whether `dir` has a *.rubric file directly inside it.
function M.has_rubric(dir)
  return #vim.fn.glob(dir .. "/*.rubric", true, true) > 0
end

-- JSON needs objects where Lua has empty tables: {} would be sent as [].
local function as_object(value)
  if type(value) ~= "table" then
    return value
  end
  if next(value) == nil then
    return vim.empty_dict()
  end
  local copy = {}
  for key, item in pairs(value) do
    copy[key] = as_object(item)
  end
  return copy
end

--- Settings keyed by section, as in nvim-lspconfig. A table without a
--- `rubric` table inside is taken to be the rubric section itself.
local function normalize_settings(settings)
  settings = settings or {}
  if type(settings[SECTION]) ~= "table" then
    settings = { [SECTION] = settings }
  end
  return as_object(settings)
end

--- Sets `python` to the active virtualenv's interpreter when the settings name none:
--- the tests and coverage run in it, and pylint sees its packages.
function M.with_project_python(section)
  local venv = vim.env.VIRTUAL_ENV
  if section.python == nil and venv and venv ~= "" then
    section.python = venv .. "/bin/python"
  end
  return section
end

--- The value at a dotted section ("rubric", "rubric.base") of the settings, or vim.NIL.
function M.lookup_section(settings, section)
  if not section or section == "" then
    return settings or vim.NIL
  end
  local value = settings
  for key in string.gmatch(section, "[^.]+") do
    if type(value) ~= "table" or value[key] == nil then
      return vim.NIL
    end
    value = value[key]
  end
  return value
end

-- Client methods are called with ':' from Neovim 0.11 on, with '.' before.
local method_call = vim.fn.has("nvim-0.11") == 1

local function call(client, method, ...)
  if method_call then
    return client[method](client, ...)
  end
  return client[method](...)
end

--- Answers workspace/configuration from the client's settings, one value per item.
local function on_configuration(_, result, ctx)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  local settings = client and client.config.settings or M.options.settings
  local answers = {}
  for index, item in ipairs((result and result.items) or {}) do
    answers[index] = M.lookup_section(settings, item.section)
  end
  return answers
end

local function client_config(root)
  local opts = M.options
  local capabilities = vim.lsp.protocol.make_client_capabilities()
  if opts.capabilities then
    capabilities = vim.tbl_deep_extend("force", capabilities, opts.capabilities)
  end
  return {
    name = opts.name,
    cmd = opts.cmd,
    root_dir = root,
    settings = opts.settings,
    init_options = opts.init_options or opts.settings[SECTION],
    capabilities = capabilities,
    handlers = { ["workspace/configuration"] = on_configuration },
    on_init = function(client)
      call(client, "notify", "workspace/didChangeConfiguration", { settings = client.config.settings })
      return true
    end,
    on_attach = function(client, bufnr)
      -- Completion with <C-x><C-o> in rubric buffers (Neovim 0.10+ does this itself).
      if vim.bo[bufnr].filetype == "rubric" then
        vim.bo[bufnr].omnifunc = "v:lua.vim.lsp.omnifunc"
      end
      if opts.on_attach then
        opts.on_attach(client, bufnr)
      end
    end,
    flags = { debounce_text_changes = 150 },
  }
end

--- The root directory the server should serve `bufnr` from, or nil when it should not start.
function M.root_dir(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  local filetype = vim.bo[bufnr].filetype
  if filetype == "rubric" then
    if name == "" then
      return uv.cwd()
    end
    local file = vim.fn.fnamemodify(name, ":p")
    return M.git_root(file) or parent(file)
  end
  if filetype == "python" and M.options.python and name ~= "" then
    local root = M.git_root(vim.fn.fnamemodify(name, ":p"))
    local configured = M.options.settings[SECTION].rubric
    if root and (M.has_rubric(root) or (type(configured) == "string" and configured ~= "")) then
      return root
    end
  end
  return nil
end

local function attach(bufnr, root)
  local config = client_config(root)
  if vim.lsp.start then
    return vim.lsp.start(config, { bufnr = bufnr })
  end
  local id = clients_by_root[root]
  local client = id and vim.lsp.get_client_by_id(id)
  if not client or call(client, "is_stopped") then
    id = vim.lsp.start_client(config)
    clients_by_root[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

--- Starts (or reuses) the server for `bufnr` if it is a buffer the server serves.
function M.start(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if not M.options or not vim.api.nvim_buf_is_valid(bufnr) or vim.bo[bufnr].buftype ~= "" then
    return nil
  end
  local root = M.root_dir(bufnr)
  if not root then
    return nil
  end
  return attach(bufnr, root)
end

--- The rubric clients attached to `bufnr` (all of them when `bufnr` is nil).
function M.clients(bufnr)
  local found = {}
  local all = vim.lsp.get_clients and vim.lsp.get_clients() or vim.lsp.get_active_clients()
  for _, client in ipairs(all) do
    if client.name == M.options.name and (bufnr == nil or vim.lsp.buf_is_attached(bufnr, client.id)) then
      table.insert(found, client)
    end
  end
  return found
end


local function notify(message, level)
  vim.notify("rubric: " .. message, level or vim.log.levels.INFO)
end

--- Runs a server command (workspace/executeCommand) from the current buffer.
function M.execute(command, arguments, on_result)
  local bufnr = vim.api.nvim_get_current_buf()
  local client = M.clients(bufnr)[1] or M.clients()[1]
  if not client then
    notify("the language server is not running for this buffer", vim.log.levels.WARN)
    return
  end
  local params = { command = command, arguments = arguments }
  local function on_response(err, result)
    if err then
      notify(command .. " failed: " .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
      return
    end
    if on_result then
      on_result(result)
    end
  end
  call(client, "request", "workspace/executeCommand", params, on_response, bufnr)
end

--- Scores the workspace's diff now (the server command rubric.score).
function M.score()
  local name = vim.api.nvim_buf_get_name(0)
  M.execute("rubric.score", name ~= "" and { vim.uri_from_fname(name) } or {})
end

--- Shows the last score report (the server command rubric.report) in a Markdown split.
function M.report()
  M.execute("rubric.report", {}, function(result)
    local text = result
    if type(result) == "table" then
      text = result.markdown or result.value or result.report
    end
    if type(text) ~= "string" or text == "" then
      notify("no score report yet: save a file or run :RubricScore")
      return
    end
    vim.cmd("botright new")
    local buf = vim.api.nvim_get_current_buf()
    vim.api.nvim_buf_set_lines(buf, 0, -1, false, vim.split(text, "\n", { plain = true }))
    vim.bo[buf].buftype = "nofile"
    vim.bo[buf].bufhidden = "wipe"
    vim.bo[buf].modifiable = false
    vim.bo[buf].filetype = "markdown"
    pcall(vim.api.nvim_buf_set_name, buf, "rubric://report")
  end)
end

--- Stops the rubric clients and starts them again for every buffer they served.
function M.restart()
  local buffers = {}
  for _, client in ipairs(M.clients()) do
    for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
      if vim.lsp.buf_is_attached(bufnr, client.id) then
        buffers[bufnr] = true
      end
    end
    call(client, "stop")
  end
  clients_by_root = {}
  local tries = 0
  local function start_again()
    tries = tries + 1
    if #M.clients() > 0 and tries < 50 then
      vim.defer_fn(start_again, 100)
      return
    end
    for bufnr in pairs(buffers) do
      M.start(bufnr)
    end
  end
  vim.defer_fn(start_again, 100)
end

M.as_object = as_object

--- The options setup() would use for `opts`: the defaults, overridden, settings normalized.
function M.resolve(opts)
  local merged = {}
  for key, value in pairs(defaults) do
    merged[key] = value
  end
  for key, value in pairs(opts or {}) do
    merged[key] = value
  end
  merged.settings = normalize_settings(merged.settings)
  M.with_project_python(merged.settings[SECTION])
  return merged
end

--- Configures the client and starts it for matching buffers, now and when they open.
function M.setup(opts)
  opts = M.resolve(opts)
  M.options = opts

  if vim.filetype and vim.filetype.add then
    vim.filetype.add({ extension = { rubric = "rubric" } })
  end

  local group = vim.api.nvim_create_augroup("rubric_lsp", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = opts.filetypes,
    callback = function(args)
      M.start(args.buf)
    end,
  })

  vim.api.nvim_create_user_command("RubricScore", M.score, { desc = "Score the workspace's diff against the rubric" })
  vim.api.nvim_create_user_command("RubricReport", M.report, { desc = "Show the last score report" })
  vim.api.nvim_create_user_command("RubricRestart", M.restart, { desc = "Restart rubric-lsp" })

  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(opts.filetypes, vim.bo[bufnr].filetype) then
      M.start(bufnr)
    end
  end
end

return M
