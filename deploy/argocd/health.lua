-- Argo CD health check for auditlog.dev/Webhook
-- (argocd-cm key resource.customizations.health.auditlog.dev_Webhook; see docs/argocd.md).
--
-- The first matching rule wins:
--   1. Progressing while the operator has not observed the current generation: conditions
--      written for an older spec would report a Webhook that was just fixed as still broken.
--   2. Suspended when spec.suspend is true: delivery is paused on purpose.
--   3. Healthy when Ready=True.
--   4. Degraded when Ready=False, with the condition's message.
--   5. Progressing otherwise (no Ready condition yet, or Ready=Unknown).
local hs = {}

local function findCondition(conditions, conditionType)
  if conditions == nil then
    return nil
  end
  for _, condition in ipairs(conditions) do
    if condition.type == conditionType then
      return condition
    end
  end
  return nil
end

-- The condition's reason stands in for an empty message, so Argo CD never shows a blank line.
local function describe(condition, fallback)
  if condition ~= nil then
    if condition.message ~= nil and condition.message ~= "" then
      return condition.message
    end
    if condition.reason ~= nil and condition.reason ~= "" then
      return condition.reason
    end
  end
  return fallback
end

local generation = obj.metadata.generation or 0
local status = obj.status or {}
local observed = status.observedGeneration
local ready = findCondition(status.conditions, "Ready")

-- A condition may carry its own observedGeneration (metav1.Condition); it must be current too.
local conditionObserved = observed
if ready ~= nil and ready.observedGeneration ~= nil then
  conditionObserved = ready.observedGeneration
end

if observed == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to reconcile the Webhook"
  return hs
end

local oldest = observed
if conditionObserved < oldest then
  oldest = conditionObserved
end
if oldest < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. tostring(generation)
    .. " (observed " .. tostring(oldest) .. ")"
  return hs
end

if obj.spec ~= nil and obj.spec.suspend == true then
  hs.status = "Suspended"
  hs.message = "Delivery is suspended (spec.suspend); events queue until it is resumed"
  return hs
end

if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = describe(ready, "Route is active")
  return hs
end

if ready ~= nil and ready.status == "False" then
  hs.status = "Degraded"
  hs.message = describe(ready, "Ready is False")
  return hs
end

hs.status = "Progressing"
hs.message = describe(ready, "Waiting for the Ready condition")
return hs
