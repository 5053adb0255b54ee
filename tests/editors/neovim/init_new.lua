-- Neovim 0.11+: Redline configured with vim.lsp.config / vim.lsp.enable (as docs/editors.md says).
local here = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h")
package.path = here .. "/?.lua;" .. package.path
vim.cmd("filetype on")

vim.lsp.config("redline", {
  cmd = vim.split(os.getenv("REDLINE_LSP_CMD"), " "),
  filetypes = { "python", "javascript", "typescript", "go", "java", "terraform", "yaml", "dockerfile", "sh" },
  root_markers = { "redline.toml", ".redline.toml", "pyproject.toml", ".git" },
  settings = { redline = {} },
})
vim.lsp.enable("redline")

vim.cmd("edit " .. os.getenv("REDLINE_NVIM_FILE"))
local bufnr = vim.api.nvim_get_current_buf()
local function get_client()
  return vim.lsp.get_clients({ bufnr = bufnr, name = "redline" })[1]
end
require("driver").run(get_client, bufnr)
