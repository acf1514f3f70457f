using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Webhooks.KubeApiServer.CustomResources;
using Webhooks.KubeApiServer.Errors;
using Webhooks.KubeApiServer.Patching;
using Webhooks.KubeApiServer.Resources;
using Webhooks.KubeApiServer.Selection;
using Webhooks.KubeApiServer.Serialization;
using Webhooks.KubeApiServer.Storage;
using Webhooks.KubeApiServer.Validation;

namespace Webhooks.KubeApiServer.Api;

/// <summary>
/// The generic registry: create, update, patch and delete with the object-metadata rules of the real
/// API server (resourceVersion preconditions, generation, status subresource, finalizers), schema
/// admission for custom resources, and keeping the registry in step with stored CRDs.
/// </summary>
internal sealed class ObjectOperations(ObjectStore store, ResourceRegistry registry, TimeProvider timeProvider, CelRuleEvaluator cel)
{
    private const string GenerateNameAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    public JsonObject Get(ResourceDefinition resource, string? ns, string name)
    {
        var stored = store.Get(resource.StorageKey, Scope(resource, ns), name) ?? throw StatusErrors.NotFound(resource, name);
        return resource.Behavior.FromStorage(stored, resource);
    }

    public ListResult List(ResourceDefinition resource, string? ns, LabelSelector labels, FieldSelector fields, int? limit, string? continueToken)
    {
        foreach (var field in fields.Fields)
        {
            if (resource.Behavior.FieldValue(new JsonObject(), field) is null)
            {
                throw StatusErrors.BadRequest($"field label not supported: {field}");
            }
        }

        lock (store.Gate)
        {
            var revision = store.Revision;
            var after = continueToken is null ? null : DecodeContinue(continueToken);
            var matching = store.List(resource.StorageKey, Scope(resource, ns))
                .Where(obj => Matches(resource, obj, labels, fields))
                .Where(obj => after is null || string.CompareOrdinal(PageKey(obj), after) > 0)
                .ToList();
            if (limit is > 0 && matching.Count > limit)
            {
                var page = matching.Take(limit.Value).ToList();
                return new ListResult(page.Select(o => resource.Behavior.FromStorage(o, resource)).ToList(), revision, EncodeContinue(PageKey(page[^1])), matching.Count - page.Count);
            }

            return new ListResult(matching.Select(o => resource.Behavior.FromStorage(o, resource)).ToList(), revision, null, null);
        }
    }

    public static bool Matches(ResourceDefinition resource, JsonObject stored, LabelSelector labels, FieldSelector fields) =>
        labels.Matches(Json.StringMap(stored["metadata"]?["labels"])) && fields.Matches(label => resource.Behavior.FieldValue(stored, label));

    public JsonObject Create(ResourceDefinition resource, string? ns, JsonObject body, WriteOptions options)
    {
        lock (store.Gate)
        {
            var obj = Json.CloneObject(body);
            CheckTypeMeta(resource, obj);
            var metadata = Json.Metadata(obj);
            ns = Scope(resource, ns);
            ApplyNamespace(resource, metadata, ns);
            var name = Json.GetString(metadata, "name");
            if (string.IsNullOrEmpty(name) && Json.GetString(metadata, "generateName") is { Length: > 0 } prefix)
            {
                name = prefix + string.Concat(Enumerable.Range(0, 5).Select(_ => GenerateNameAlphabet[Random.Shared.Next(GenerateNameAlphabet.Length)]));
                metadata["name"] = name;
            }

            if (string.IsNullOrEmpty(name))
            {
                throw StatusErrors.Invalid(resource, string.Empty, [new FieldError(FieldErrorType.Required, "metadata.name", null, "name or generateName is required")]);
            }

            if (ns is not null && store.Get(BuiltInResources.NamespacesKey, null, ns) is null)
            {
                throw StatusErrors.NotFound(string.Empty, "namespaces", ns);
            }

            foreach (var serverOwned in new[] { "uid", "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "selfLink" })
            {
                metadata.Remove(serverOwned);
            }

            metadata["uid"] = Guid.NewGuid().ToString();
            metadata["creationTimestamp"] = Timestamp(timeProvider.GetUtcNow());
            if (resource.TracksGeneration)
            {
                metadata["generation"] = 1;
            }

            if (resource.HasStatusSubresource && resource.IsCustomResource)
            {
                obj.Remove("status");
            }

            resource.Behavior.PrepareForCreate(obj);
            Admit(resource, obj, null, options);
            if (store.Get(resource.StorageKey, ns, name) is not null)
            {
                throw StatusErrors.AlreadyExists(resource, name);
            }

            if (options.DryRun)
            {
                return obj;
            }

            var stored = store.Create(resource.StorageKey, resource.Behavior.ToStorage(obj, resource));
            AfterWrite(resource, stored, deleted: false);
            return resource.Behavior.FromStorage(stored, resource);
        }
    }

    public (JsonObject Object, bool Created) Update(ResourceDefinition resource, string? ns, string name, JsonObject body, bool statusOnly, WriteOptions options)
    {
        lock (store.Gate)
        {
            var bodyName = Json.GetString(body, "metadata", "name");
            if (bodyName is not null && bodyName != name)
            {
                throw StatusErrors.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
            }

            var old = store.Get(resource.StorageKey, Scope(resource, ns), name);
            if (old is null)
            {
                if (!resource.AllowCreateOnUpdate || statusOnly)
                {
                    throw StatusErrors.NotFound(resource, name);
                }

                return (Create(resource, ns, body, options), true);
            }

            return (Replace(resource, old, Json.CloneObject(body), statusOnly, requireResourceVersion: true, options), false);
        }
    }

    public (JsonObject Object, bool Created) Patch(ResourceDefinition resource, string? ns, string name, string patchType, string body, bool statusOnly, WriteOptions options)
    {
        lock (store.Gate)
        {
            var old = store.Get(resource.StorageKey, Scope(resource, ns), name);
            if (patchType == PatchTypes.Strategic && resource.IsCustomResource)
            {
                throw StatusErrors.UnsupportedMediaType(patchType);
            }

            JsonNode? patch;
            try
            {
                patch = patchType == PatchTypes.Apply ? YamlJsonConverter.ParseSingle(body) : JsonNode.Parse(body);
            }
            catch (Exception exception) when (exception is JsonException or FormatException or YamlDotNet.Core.YamlException)
            {
                throw StatusErrors.BadRequest($"error decoding patch: {exception.Message}");
            }

            if (old is null)
            {
                if (patchType == PatchTypes.Apply && !statusOnly && patch is JsonObject applied)
                {
                    return (Create(resource, ns, applied, options), true);
                }

                throw StatusErrors.NotFound(resource, name);
            }

            var current = resource.Behavior.FromStorage(old, resource);
            JsonNode? patched;
            try
            {
                patched = patchType switch
                {
                    PatchTypes.Json when patch is JsonArray operations => JsonPatch.Apply(current, operations),
                    PatchTypes.Json => throw new FormatException("json patch must be an array of operations"),
                    PatchTypes.Merge or PatchTypes.Apply => JsonMergePatch.Apply(current, patch),
                    PatchTypes.Strategic => StrategicMergePatch.Apply(current, patch),
                    _ => throw StatusErrors.UnsupportedMediaType(patchType),
                };
            }
            catch (FormatException exception)
            {
                throw StatusErrors.Invalid(resource, name, [new FieldError(FieldErrorType.Invalid, "<nil>", JsonValue.Create(body), exception.Message)]);
            }

            if (patched is not JsonObject patchedObject)
            {
                throw StatusErrors.BadRequest("the patch did not produce an object");
            }

            return (Replace(resource, old, patchedObject, statusOnly, requireResourceVersion: false, options), false);
        }
    }

    public (int Code, JsonObject Body) Delete(ResourceDefinition resource, string? ns, string name, JsonObject? deleteOptions, WriteOptions options)
    {
        lock (store.Gate)
        {
            var old = store.Get(resource.StorageKey, Scope(resource, ns), name) ?? throw StatusErrors.NotFound(resource, name);
            CheckPreconditions(resource, name, old, deleteOptions?["preconditions"] as JsonObject);
            var metadata = old["metadata"]!.AsObject();
            if (Json.StringList(metadata["finalizers"]).Count > 0)
            {
                if (metadata["deletionTimestamp"] is not null || options.DryRun)
                {
                    return (202, resource.Behavior.FromStorage(old, resource));
                }

                var deleting = Json.CloneObject(old);
                var deletingMetadata = Json.Metadata(deleting);
                deletingMetadata["deletionTimestamp"] = Timestamp(timeProvider.GetUtcNow());
                deletingMetadata["deletionGracePeriodSeconds"] = 0;
                if (Json.AsLong(deletingMetadata["generation"]) is > 0 and var generation)
                {
                    deletingMetadata["generation"] = generation + 1;
                }

                return (202, resource.Behavior.FromStorage(store.Update(resource.StorageKey, deleting), resource));
            }

            if (options.DryRun)
            {
                return (200, resource.Behavior.FromStorage(old, resource));
            }

            var removed = store.Delete(resource.StorageKey, old);
            AfterWrite(resource, removed, deleted: true);
            return (200, StatusErrors.Success(resource, name, Json.GetString(metadata, "uid")));
        }
    }

    public JsonObject DeleteCollection(ResourceDefinition resource, string? ns, LabelSelector labels, FieldSelector fields, WriteOptions options)
    {
        lock (store.Gate)
        {
            var deleted = List(resource, ns, labels, fields, null, null).Items
                .Select(item => Delete(resource, Json.GetString(item, "metadata", "namespace"), Json.GetString(item, "metadata", "name")!, null, options).Body)
                .Where(body => Json.GetString(body, "kind") != "Status")
                .Select(body => (JsonNode)body)
                .ToArray();
            return new JsonObject
            {
                ["kind"] = resource.ListKind,
                ["apiVersion"] = resource.GroupVersion,
                ["metadata"] = new JsonObject { ["resourceVersion"] = ObjectStore.Format(store.Revision) },
                ["items"] = new JsonArray(deleted),
            };
        }
    }

    /// <summary>The shared update path of PUT and PATCH: <paramref name="incoming"/> is the desired object in the served version.</summary>
    private JsonObject Replace(ResourceDefinition resource, JsonObject old, JsonObject incoming, bool statusOnly, bool requireResourceVersion, WriteOptions options)
    {
        var name = Json.GetString(old, "metadata", "name")!;
        var oldRevision = Json.GetString(old, "metadata", "resourceVersion");
        var incomingRevision = Json.GetString(incoming, "metadata", "resourceVersion");
        if (string.IsNullOrEmpty(incomingRevision))
        {
            if (requireResourceVersion && !resource.AllowUnconditionalUpdate)
            {
                throw StatusErrors.Invalid(resource, name, [new FieldError(FieldErrorType.Invalid, "metadata.resourceVersion", JsonValue.Create("0x0"), "must be specified for an update")]);
            }
        }
        else if (incomingRevision != oldRevision)
        {
            throw StatusErrors.StaleResourceVersion(resource, name);
        }

        var current = resource.Behavior.FromStorage(old, resource);
        JsonObject next;
        if (statusOnly)
        {
            next = Json.CloneObject(current);
            SetOrRemove(next, "status", incoming["status"]);
        }
        else
        {
            CheckTypeMeta(resource, incoming);
            next = incoming;
            if (resource.HasStatusSubresource)
            {
                SetOrRemove(next, "status", current["status"]);
            }

            var metadata = Json.Metadata(next);
            var oldMetadata = current["metadata"]!.AsObject();
            foreach (var immutable in new[] { "name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation" })
            {
                SetOrRemove(metadata, immutable, oldMetadata[immutable]);
            }

            metadata.Remove("managedFields");
            CheckFinalizers(resource, name, oldMetadata, metadata);
            resource.Behavior.PrepareForUpdate(next, current);
        }

        Json.Metadata(next)["resourceVersion"] = oldRevision;
        Admit(resource, next, current, options);
        if (resource.TracksGeneration && !statusOnly && !Json.EqualExcept(next, current, resource.HasStatusSubresource ? ["metadata", "status"] : ["metadata"]))
        {
            Json.Metadata(next)["generation"] = (Json.AsLong(current["metadata"]?["generation"]) ?? 0) + 1;
        }

        // etcd skips writes that change nothing, so a no-op update keeps its resourceVersion and sends no event.
        if (JsonNode.DeepEquals(next, current) || options.DryRun)
        {
            return next;
        }

        var toStore = resource.Behavior.ToStorage(next, resource);
        var nextMetadata = toStore["metadata"]!.AsObject();
        if (nextMetadata["deletionTimestamp"] is not null && Json.StringList(nextMetadata["finalizers"]).Count == 0)
        {
            var removed = store.Delete(resource.StorageKey, toStore);
            AfterWrite(resource, removed, deleted: true);
            return resource.Behavior.FromStorage(removed, resource);
        }

        var stored = store.Update(resource.StorageKey, toStore);
        AfterWrite(resource, stored, deleted: false);
        return resource.Behavior.FromStorage(stored, resource);
    }

    /// <summary>Prunes, defaults and validates an object about to be stored, in the API server's order.</summary>
    private void Admit(ResourceDefinition resource, JsonObject obj, JsonObject? old, WriteOptions options)
    {
        var errors = new List<FieldError>();
        if (resource.Schema is { } schema)
        {
            var pruned = SchemaPruner.Prune(schema, obj);
            if (pruned.Count > 0)
            {
                var unknown = pruned.Select(path => $"unknown field \"{path}\"").ToList();
                if (options.FieldValidation == "Strict")
                {
                    throw StatusErrors.BadRequest($"{resource.Kind} in version \"{resource.Version}\" cannot be handled as a {resource.Kind}: strict decoding error: {string.Join(", ", unknown)}");
                }

                if (options.FieldValidation == "Warn")
                {
                    options.Warnings.AddRange(unknown);
                }
            }

            SchemaDefaulter.Apply(schema, obj);
            SchemaValidator.Validate(schema, obj, FieldPath.Root, errors);
            cel.Evaluate(schema, obj, FieldPath.Root, errors);
        }

        var name = Json.GetString(obj, "metadata", "name") ?? string.Empty;
        if (old is null)
        {
            errors.InsertRange(0, NameValidator.Validate(name, asLabel: resource.StorageKey == BuiltInResources.NamespacesKey));
        }

        errors.AddRange(resource.Behavior.Validate(obj, old));
        if (errors.Count > 0)
        {
            throw StatusErrors.Invalid(resource, name, errors);
        }
    }

    /// <summary>Keeps the registry in step with stored CRDs and cascades namespace and CRD deletion.</summary>
    private void AfterWrite(ResourceDefinition resource, JsonObject stored, bool deleted)
    {
        var name = Json.GetString(stored, "metadata", "name")!;
        if (resource.StorageKey == BuiltInResources.CustomResourceDefinitionsKey)
        {
            var served = registry.All.Where(d => d.DefinedBy == name).ToList();
            if (deleted)
            {
                foreach (var storageKey in served.Select(d => d.StorageKey).Distinct())
                {
                    foreach (var obj in store.List(storageKey, null))
                    {
                        store.Delete(storageKey, obj);
                    }
                }

                registry.Unregister(name);
            }
            else
            {
                registry.Register(name, CrdParser.Parse(stored));
            }
        }
        else if (deleted && resource.StorageKey == BuiltInResources.NamespacesKey)
        {
            foreach (var storageKey in registry.All.Where(d => d.Namespaced).Select(d => d.StorageKey).Distinct())
            {
                foreach (var obj in store.List(storageKey, name))
                {
                    store.Delete(storageKey, obj);
                }
            }
        }
    }

    private static void CheckTypeMeta(ResourceDefinition resource, JsonObject obj)
    {
        var apiVersion = Json.GetString(obj, "apiVersion");
        var kind = Json.GetString(obj, "kind");
        if (!string.IsNullOrEmpty(kind) && kind != resource.Kind)
        {
            throw StatusErrors.BadRequest($"the kind in the data ({kind}) does not match the expected kind ({resource.Kind})");
        }

        if (!string.IsNullOrEmpty(apiVersion) && apiVersion != resource.GroupVersion)
        {
            throw StatusErrors.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({resource.GroupVersion})");
        }

        obj["apiVersion"] = resource.GroupVersion;
        obj["kind"] = resource.Kind;
    }

    private static void ApplyNamespace(ResourceDefinition resource, JsonObject metadata, string? ns)
    {
        if (!resource.Namespaced)
        {
            metadata.Remove("namespace");
            return;
        }

        var declared = Json.GetString(metadata, "namespace");
        if (!string.IsNullOrEmpty(declared) && declared != ns)
        {
            throw StatusErrors.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        metadata["namespace"] = ns;
    }

    private static void CheckFinalizers(ResourceDefinition resource, string name, JsonObject oldMetadata, JsonObject metadata)
    {
        if (oldMetadata["deletionTimestamp"] is null)
        {
            return;
        }

        var added = Json.StringList(metadata["finalizers"]).Except(Json.StringList(oldMetadata["finalizers"])).ToList();
        if (added.Count > 0)
        {
            var list = string.Join(", ", added.Select(FieldError.Quote));
            throw StatusErrors.Invalid(resource, name, [new FieldError(FieldErrorType.Forbidden, "metadata.finalizers", null, $"no new finalizers can be added if the object is being deleted, found new finalizers []string{{{list}}}")]);
        }
    }

    private static void CheckPreconditions(ResourceDefinition resource, string name, JsonObject old, JsonObject? preconditions)
    {
        if (preconditions is null)
        {
            return;
        }

        var uid = Json.GetString(old, "metadata", "uid");
        var revision = Json.GetString(old, "metadata", "resourceVersion");
        if (Json.GetString(preconditions, "uid") is { } expectedUid && expectedUid != uid)
        {
            throw StatusErrors.Conflict(resource, name, $"Precondition failed: UID in precondition: {expectedUid}, UID in object meta: {uid}");
        }

        if (Json.GetString(preconditions, "resourceVersion") is { } expectedRevision && expectedRevision != revision)
        {
            throw StatusErrors.Conflict(resource, name, $"Precondition failed: ResourceVersion in precondition: {expectedRevision}, ResourceVersion in object meta: {revision}");
        }
    }

    private static void SetOrRemove(JsonObject obj, string key, JsonNode? value)
    {
        if (value is null)
        {
            obj.Remove(key);
        }
        else
        {
            obj[key] = value.DeepClone();
        }
    }

    private static string? Scope(ResourceDefinition resource, string? ns) => resource.Namespaced && !string.IsNullOrEmpty(ns) ? ns : null;

    public static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string PageKey(JsonObject obj) => $"{Json.GetString(obj, "metadata", "namespace")}/{Json.GetString(obj, "metadata", "name")}";

    private static string EncodeContinue(string key) => Convert.ToBase64String(Encoding.UTF8.GetBytes(key));

    private static string DecodeContinue(string token)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(token));
        }
        catch (FormatException)
        {
            throw StatusErrors.BadRequest($"continue key is not valid: {token}");
        }
    }
}
