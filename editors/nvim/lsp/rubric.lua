--- rubric-lsp for Neovim 0.11's vim.lsp.config / vim.lsp.enable:
---
---   vim.lsp.enable("rubric")
---   vim.lsp.config("rubric", { settings = { rubric = { base = "main" } } })  -- optional
---
--- Starts the server for rubric buffers, and for Python buffers of a git repository with a
--- *.rubric at its root (saving them scores the change). Older Neovim: require("rubric").setup().
local rubric = require("rubric")

return {
  cmd = { "rubric-lsp" },
  filetypes = { "rubric", "python" },
  -- An empty dict, not {}: the server reads an object, and {} would be sent as [].
  settings = { rubric = vim.empty_dict() },
  root_dir = function(bufnr, on_dir)
    -- The same rule as setup(): Python buffers only where a rubric will score them.
    rubric.options = rubric.options or rubric.resolve({})
    local root = rubric.root_dir(bufnr)
    if root then
      on_dir(root)
    end
  end,
  before_init = function(params, config)
    local section = rubric.with_project_python(vim.deepcopy((config.settings or {}).rubric or {}))
    params.initializationOptions = config.init_options or rubric.as_object(section)
  end,
}
