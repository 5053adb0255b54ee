-- Drives a real Neovim against `redline lsp`: open a vulnerable file, wait for Redline's
-- diagnostics, ask for code actions on the yaml.load finding, apply the preferred fix, and wait
-- until the finding is gone. Then the review lens (issue 18): insert a large block in one change,
-- ask for textDocument/codeLens, run the lens's "Mark reviewed" command and ask again.
-- Writes what it saw as JSON to $REDLINE_NVIM_OUT and quits.
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

-- client:request_sync in 0.11+ (the method form), client.request_sync before.
local function request_sync(client, method, params, bufnr)
  if vim.fn.has("nvim-0.11") == 1 then
    return client:request_sync(method, params, 20000, bufnr)
  end
  return client.request_sync(method, params, 20000, bufnr)
end

local function lens_list(result)
  local out = {}
  for _, lens in ipairs(result or {}) do
    local cmd = lens.command or {}
    table.insert(out, { line = lens.range.start.line, title = cmd.title, command = cmd.command, arguments = cmd.arguments })
  end
  return out
end

-- The block a user pastes (or an agent writes) below the code: a comment and two functions,
-- one building a shell command by concatenation, one loading YAML with the unsafe loader.
local BLOCK = {
  "",
  "",
  "# Helpers copied from the old deploy script.",
  "def backup(name):",
  '    os.system("tar czf backup.tgz " + name)',
  "    return name",
  "",
  "",
  "def read_profile(stream):",
  "    profile = yaml.load(stream, Loader=yaml.Loader)",
  "    return profile",
}

local function review_lens(client, bufnr)
  local first = vim.api.nvim_buf_line_count(bufnr)
  -- One change that inserts the whole block, as a paste does.
  vim.api.nvim_buf_set_lines(bufnr, first, first, false, BLOCK)
  local block_start = first + 2
  wait_for("diagnostics in the inserted block", 20000, function()
    local n = 0
    for _, d in ipairs(redline_diagnostics(bufnr)) do
      if d.lnum >= block_start then n = n + 1 end
    end
    return n >= 2
  end)
  local in_block = {}
  for _, d in ipairs(redline_diagnostics(bufnr)) do
    if d.lnum >= block_start then table.insert(in_block, code_of(d)) end
  end
  table.sort(in_block)
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) } }
  local answer = request_sync(client, "textDocument/codeLens", params, bufnr) or {}
  local lenses = lens_list(answer.result)
  note({ step = "lens", block_start = block_start, codes = in_block, lenses = lenses, err = answer.err })
  -- The lens's own commands, as a user runs them (vim.lsp.codelens.run does the same request).
  local reviewed, shown
  for _, lens in ipairs(lenses) do
    if lens.command == "redline.showBlockFindings" then
      shown = request_sync(client, "workspace/executeCommand", { command = lens.command, arguments = lens.arguments }, bufnr) or {}
    end
  end
  for _, lens in ipairs(lenses) do
    if lens.command == "redline.markBlockReviewed" then
      reviewed = request_sync(client, "workspace/executeCommand", { command = lens.command, arguments = lens.arguments }, bufnr) or {}
    end
  end
  local again = request_sync(client, "textDocument/codeLens", params, bufnr) or {}
  note({
    step = "reviewed",
    shown = shown and shown.result,
    reviewed = reviewed and reviewed.result,
    lenses = lens_list(again.result),
  })
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

    review_lens(client, bufnr)
  end)
  if not ok then table.insert(report.errors, tostring(err)) end
  finish()
end

return M
