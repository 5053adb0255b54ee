-- Drives a real Neovim against `redline lsp`: open a vulnerable file, wait for Redline's
-- diagnostics, ask for code actions on the yaml.load finding, apply the preferred fix, and wait
-- until the finding is gone. Writes what it saw as JSON to $REDLINE_NVIM_OUT and quits.
-- Loaded by init_new.lua (Neovim 0.11+, vim.lsp.config) and init_old.lua (0.7, start_client).
local M = {}

local out_path = os.getenv("REDLINE_NVIM_OUT")
local report = { steps = {}, errors = {} }

local function note(step) table.insert(report.steps, step) end

local function finish()
  local f = assert(io.open(out_path, "w"))
  f:write(vim.fn.json_encode(report))
  f:close()
  vim.cmd("qall!")
end

local function code_of(d)
  if d.code ~= nil then return d.code end
  local lsp = d.user_data and d.user_data.lsp
  return lsp and lsp.code or nil
end

local function redline_diagnostics(bufnr)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.source == "redline" then
      table.insert(out, d)
    end
  end
  return out
end

local function codes(diags)
  local out = {}
  for _, d in ipairs(diags) do table.insert(out, code_of(d)) end
  table.sort(out)
  return out
end

local function wait_for(what, timeout, cond)
  local ok = vim.wait(timeout, cond, 20)
  if not ok then
    table.insert(report.errors, "timed out waiting for " .. what)
  end
  return ok
end

-- `client` is the Redline client object; `bufnr` the buffer of the vulnerable file.
function M.run(get_client, bufnr)
  local ok, err = pcall(function()
    wait_for("the client to attach", 20000, function() return get_client() ~= nil end)
    local client = get_client()
    report.offset_encoding = client and client.offset_encoding
    wait_for("diagnostics", 20000, function() return #redline_diagnostics(bufnr) >= 2 end)
    local diags = redline_diagnostics(bufnr)
    note({ step = "diagnostics", codes = codes(diags) })

    local target
    for _, d in ipairs(diags) do
      if code_of(d) == "RL112" then target = d end
    end
    if not target then error("no RL112 diagnostic") end

    -- The user's path: cursor on the finding, :lua vim.lsp.buf.code_action(), pick the
    -- preferred fix in the menu (vim.ui.select, answered here), Neovim applies its edit.
    local picked = false
    vim.ui.select = function(items, _opts, on_choice)
      local titles, choice, index = {}, nil, nil
      for i, item in ipairs(items) do
        local action = item.action or item[2]
        table.insert(titles, action.title)
        if action.isPreferred and action.kind == "quickfix" then choice, index = item, i end
      end
      note({ step = "actions", titles = titles })
      picked = true
      on_choice(choice, index)
    end
    vim.api.nvim_win_set_cursor(0, { target.lnum + 1, target.col + 2 })
    vim.lsp.buf.code_action()
    wait_for("the code action menu", 20000, function() return picked end)
    wait_for("the fix to be applied", 20000, function()
      return vim.api.nvim_buf_get_lines(bufnr, 10, 11, false)[1]:find("safe_load") ~= nil
    end)
    note({ step = "applied", line = vim.api.nvim_buf_get_lines(bufnr, 10, 11, false)[1] })

    wait_for("the fixed finding to go away", 20000, function()
      local now = codes(redline_diagnostics(bufnr))
      return #now == 1 and now[1] == "RL102"
    end)
    note({ step = "after", codes = codes(redline_diagnostics(bufnr)) })
  end)
  if not ok then table.insert(report.errors, tostring(err)) end
  finish()
end

return M
