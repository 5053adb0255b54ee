-- Neovim 0.7 to 0.10: Redline started with vim.lsp.start_client and attached to each buffer.
local here = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h")
package.path = here .. "/?.lua;" .. package.path
vim.cmd("filetype on")

local file = os.getenv("REDLINE_NVIM_FILE")
local client_id = vim.lsp.start_client({
  name = "redline",
  cmd = vim.split(os.getenv("REDLINE_LSP_CMD"), " "),
  root_dir = vim.fn.fnamemodify(file, ":p:h"),
})

vim.cmd("edit " .. file)
local bufnr = vim.api.nvim_get_current_buf()
vim.lsp.buf_attach_client(bufnr, client_id)
local function get_client()
  return vim.lsp.get_client_by_id(client_id)
end
require("driver").run(get_client, bufnr)
