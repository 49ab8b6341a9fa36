-- luacheck editors/nvim tests/editors/nvim_e2e.lua  (Debian: apt-get install lua-check)
std = "luajit"
globals = { "vim" }
max_line_length = 120
