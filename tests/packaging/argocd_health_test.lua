-- Runs the Argo CD health check for Webhook against sample objects, as Argo CD would, twice:
-- the script itself and the copy docs/argocd.md tells people to paste into argocd-cm.
--   lua5.1 tests/packaging/argocd_health_test.lua [deploy/argocd/health.lua] [docs/argocd.md]
-- Argo CD (gopher-lua) implements Lua 5.1 and passes the live object in the global `obj`.

local scriptPath = arg[1] or "deploy/argocd/health.lua"
local docPath = arg[2] or "docs/argocd.md"

local function readFile(path)
  local file, openError = io.open(path, "r")
  if file == nil then
    io.stderr:write("cannot read " .. path .. ": " .. tostring(openError) .. "\n")
    os.exit(2)
  end
  local text = file:read("*a")
  file:close()
  return text
end

-- The argocd-cm snippet: the lines under the health key, indented four spaces, up to the end of
-- the code block.
local function documentedScript(markdown)
  local lines, inside = {}, false
  for line in (markdown .. "\n"):gmatch("([^\n]*)\n") do
    if inside then
      if line:match("^```") then
        break
      end
      if line ~= "" and line:sub(1, 4) ~= "    " then
        break
      end
      table.insert(lines, line:sub(5))
    elseif line:match("^%s*resource%.customizations%.health%.auditlog%.dev_Webhook: |%s*$") then
      inside = true
    end
  end
  return table.concat(lines, "\n")
end

local sources = {
  { name = scriptPath, text = readFile(scriptPath) },
  { name = docPath .. " (argocd-cm snippet)", text = documentedScript(readFile(docPath)) },
}

-- Only the base functions, string and table: no io, os, require or math, so a script that
-- reaches for a library Argo CD's sandbox may not offer fails here rather than in the cluster.
local function sandbox(object)
  return {
    obj = object,
    ipairs = ipairs, pairs = pairs, next = next, type = type, tostring = tostring,
    tonumber = tonumber, select = select, error = error, pcall = pcall, unpack = unpack,
    string = string, table = table,
  }
end

local function webhook(generation, spec, status)
  return {
    apiVersion = "auditlog.dev/v1alpha1",
    kind = "Webhook",
    metadata = { name = "siem", namespace = "security", generation = generation },
    spec = spec or { url = "https://siem.example.com/hook", events = { "audit_log_creation" } },
    status = status,
  }
end

local function condition(conditionType, status, reason, message, observedGeneration)
  return {
    type = conditionType, status = status, reason = reason, message = message,
    observedGeneration = observedGeneration,
  }
end

local cases = {
  {
    name = "new Webhook without status is progressing",
    obj = webhook(1, nil, nil),
    status = "Progressing",
    message = "Waiting for the operator to reconcile the Webhook",
  },
  {
    name = "ready and current is healthy with the condition message",
    obj = webhook(3, nil, {
      observedGeneration = 3,
      conditions = {
        condition("SecretsResolved", "True", "Resolved", "All secret references resolved"),
        condition("Ready", "True", "RouteActive", "Route is active in revision 42", 3),
      },
    }),
    status = "Healthy",
    message = "Route is active in revision 42",
  },
  {
    name = "ready but a newer spec not yet observed is progressing",
    obj = webhook(4, nil, {
      observedGeneration = 3,
      conditions = { condition("Ready", "True", "RouteActive", "Route is active") },
    }),
    status = "Progressing",
    message = "Waiting for the operator to observe generation 4 (observed 3)",
  },
  {
    name = "stale Ready condition generation is progressing even if status is current",
    obj = webhook(5, nil, {
      observedGeneration = 5,
      conditions = { condition("Ready", "False", "SecretNotFound", "Secret siem-token not found", 4) },
    }),
    status = "Progressing",
    message = "Waiting for the operator to observe generation 5 (observed 4)",
  },
  {
    name = "not ready is degraded with the condition message",
    obj = webhook(2, nil, {
      observedGeneration = 2,
      conditions = {
        condition("Ready", "False", "SecretNotFound",
          "Secret security/siem-token has no key \"header\"", 2),
      },
    }),
    status = "Degraded",
    message = "Secret security/siem-token has no key \"header\"",
  },
  {
    name = "not ready without a message reports the reason",
    obj = webhook(2, nil, {
      observedGeneration = 2,
      conditions = { condition("Ready", "False", "EndpointDisabled", "") },
    }),
    status = "Degraded",
    message = "EndpointDisabled",
  },
  {
    name = "suspended wins over a failing Ready condition",
    obj = webhook(6, { url = "https://siem.example.com/hook", suspend = true }, {
      observedGeneration = 6,
      conditions = { condition("Ready", "False", "Suspended", "Delivery suspended") },
    }),
    status = "Suspended",
    message = "Delivery is suspended (spec.suspend); events queue until it is resumed",
  },
  {
    name = "suspend not yet observed is progressing, deliveries still flow",
    obj = webhook(7, { url = "https://siem.example.com/hook", suspend = true }, {
      observedGeneration = 6,
      conditions = { condition("Ready", "True", "RouteActive", "Route is active") },
    }),
    status = "Progressing",
    message = "Waiting for the operator to observe generation 7 (observed 6)",
  },
  {
    name = "suspend false is not suspended",
    obj = webhook(1, { url = "https://siem.example.com/hook", suspend = false }, {
      observedGeneration = 1,
      conditions = { condition("Ready", "True", "RouteActive", "") },
    }),
    status = "Healthy",
    message = "RouteActive",
  },
  {
    name = "ready unknown is progressing with its message",
    obj = webhook(1, nil, {
      observedGeneration = 1,
      conditions = { condition("Ready", "Unknown", "Reconciling", "Writing route to PostgreSQL") },
    }),
    status = "Progressing",
    message = "Writing route to PostgreSQL",
  },
  {
    name = "observed but no conditions yet is progressing",
    obj = webhook(1, nil, { observedGeneration = 1 }),
    status = "Progressing",
    message = "Waiting for the Ready condition",
  },
}

local failed, total = 0, 0
for _, source in ipairs(sources) do
  local chunk, loadError = loadstring(source.text, "=" .. source.name)
  if chunk == nil or source.text == "" then
    failed, total = failed + 1, total + 1
    print("not ok - " .. source.name .. " does not load: " .. tostring(loadError or "empty"))
  else
    for _, case in ipairs(cases) do
      total = total + 1
      local run = setfenv(chunk, sandbox(case.obj))
      local ok, result = pcall(run)
      local label = source.name .. ": " .. case.name
      if not ok then
        failed = failed + 1
        print("not ok - " .. label .. ": script error: " .. tostring(result))
      elseif type(result) ~= "table" or result.status ~= case.status or result.message ~= case.message then
        failed = failed + 1
        print(string.format("not ok - %s\n    want %s %q\n    got  %s %q", label, case.status,
          case.message, tostring(result and result.status), tostring(result and result.message)))
      else
        print("ok - " .. label)
      end
    end
  end
end

print(string.format("%d passed, %d failed", total - failed, failed))
os.exit(failed == 0 and 0 or 1)
