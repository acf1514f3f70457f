// Command helmrender renders a Helm chart directory the way `helm template` does, for machines
// where no helm binary can be installed (Debian ships none). It uses the same engine pieces as
// Helm 3: Go text/template with missingkey=zero, the Sprig function library without env and
// expandenv, and Helm's own additions (include, tpl, required, lookup, toYaml, fromYaml, toJson,
// fromJson) with the same YAML library lineage (ghodss/yaml, forked as sigs.k8s.io/yaml).
//
// What it does not do: subcharts, values templates, --set, hooks, .Files.Glob/AsConfig. lookup
// answers as `helm template` does (nothing), or from the objects of -lookup, which stand in for a
// live cluster during an upgrade.
//
//	helmrender [-f values.yaml]... [-namespace ns] [-release name] [-include-crds]
//	           [-lookup objects.yaml] [-values-out merged.json] CHART_DIR
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"github.com/ghodss/yaml"
)

type valueFiles []string

func (v *valueFiles) String() string     { return strings.Join(*v, ",") }
func (v *valueFiles) Set(s string) error { *v = append(*v, s); return nil }

// metadata mirrors the Chart.yaml fields templates read as .Chart.X.
type metadata struct {
	APIVersion  string            `json:"apiVersion"`
	Name        string            `json:"name"`
	Version     string            `json:"version"`
	AppVersion  string            `json:"appVersion"`
	Description string            `json:"description"`
	Type        string            `json:"type"`
	KubeVersion string            `json:"kubeVersion"`
	Home        string            `json:"home"`
	Sources     []string          `json:"sources"`
	Keywords    []string          `json:"keywords"`
	Annotations map[string]string `json:"annotations"`
}

// files is .Files: every chart file outside templates/, read through symlinks as Helm does.
type files map[string][]byte

func (f files) Get(name string) string      { return string(f[name]) }
func (f files) GetBytes(name string) []byte { return f[name] }
func (f files) Lines(name string) []string {
	if f[name] == nil {
		return []string{}
	}
	return strings.Split(string(f[name]), "\n")
}

type apiVersions []string

func (a apiVersions) Has(version string) bool {
	for _, v := range a {
		if v == version {
			return true
		}
	}
	return false
}

type kubeVersion struct{ Version, Major, Minor string }

func (k kubeVersion) String() string { return k.Version }

type capabilities struct {
	KubeVersion kubeVersion
	APIVersions apiVersions
}

type chart struct {
	meta      metadata
	values    map[string]interface{}
	templates map[string]string // "<chart>/templates/<path>" -> source
	crds      map[string]string // "crds/<path>" -> content
	files     files
}

func main() {
	var valuesFiles valueFiles
	flag.Var(&valuesFiles, "f", "values file merged over values.yaml (repeatable)")
	namespace := flag.String("namespace", "default", "release namespace")
	release := flag.String("release", "release-name", "release name")
	includeCRDs := flag.Bool("include-crds", false, "print the crds/ directory first")
	valuesOut := flag.String("values-out", "", "write the merged values as JSON to this file")
	kube := flag.String("kube-version", "1.30.0", "Kubernetes version for .Capabilities")
	lookupFile := flag.String("lookup", "", "YAML stream of objects that lookup finds (the live cluster)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: helmrender [flags] CHART_DIR")
		os.Exit(2)
	}
	live, err := readObjects(*lookupFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
	out, err := run(flag.Arg(0), valuesFiles, *namespace, *release, *includeCRDs, *valuesOut, *kube, live)
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
	os.Stdout.WriteString(out)
}

func run(dir string, valuesFiles []string, namespace, release string, includeCRDs bool, valuesOut, kube string, live []map[string]interface{}) (string, error) {
	c, err := loadChart(dir)
	if err != nil {
		return "", err
	}
	for _, file := range valuesFiles {
		overrides, err := readYAMLMap(file)
		if err != nil {
			return "", err
		}
		c.values = coalesce(c.values, overrides)
	}
	if valuesOut != "" {
		data, err := json.MarshalIndent(c.values, "", "  ")
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(valuesOut, data, 0o644); err != nil {
			return "", err
		}
	}
	parts := strings.SplitN(kube, ".", 3)
	if len(parts) < 2 {
		return "", fmt.Errorf("kube-version %q is not MAJOR.MINOR[.PATCH]", kube)
	}
	top := map[string]interface{}{
		"Values": c.values,
		"Chart":  c.meta,
		"Files":  c.files,
		"Release": map[string]interface{}{
			"Name": release, "Namespace": namespace, "Service": "Helm",
			"IsInstall": true, "IsUpgrade": false, "Revision": 1,
		},
		"Capabilities": capabilities{
			KubeVersion: kubeVersion{Version: "v" + kube, Major: parts[0], Minor: parts[1]},
			APIVersions: apiVersions{"v1", "apps/v1", "policy/v1", "autoscaling/v2",
				"networking.k8s.io/v1", "rbac.authorization.k8s.io/v1", "coordination.k8s.io/v1"},
		},
	}
	rendered, err := render(c, top, live)
	if err != nil {
		return "", err
	}
	var out strings.Builder
	if includeCRDs {
		for _, name := range sortedKeys(c.crds) {
			fmt.Fprintf(&out, "---\n# Source: %s/%s\n%s\n", c.meta.Name, name, strings.TrimRight(c.crds[name], "\n"))
		}
	}
	for _, name := range sortedKeys(rendered) {
		if strings.HasSuffix(name, "NOTES.txt") || strings.TrimSpace(rendered[name]) == "" {
			continue
		}
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", name, strings.TrimRight(rendered[name], "\n"))
	}
	return out.String(), nil
}

func loadChart(dir string) (*chart, error) {
	c := &chart{templates: map[string]string{}, crds: map[string]string{}, files: files{}}
	raw, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return nil, err
	}
	if err := yaml.Unmarshal(raw, &c.meta); err != nil {
		return nil, fmt.Errorf("Chart.yaml: %w", err)
	}
	if c.values, err = readYAMLMap(filepath.Join(dir, "values.yaml")); err != nil {
		return nil, err
	}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			return nil
		}
		// os.ReadFile follows symlinks; a dangling one is an error, as in Helm.
		content, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		switch {
		case strings.HasPrefix(rel, "templates/"):
			c.templates[path.Join(c.meta.Name, rel)] = string(content)
		case strings.HasPrefix(rel, "crds/"):
			c.crds[rel] = string(content)
			c.files[rel] = content
		case rel != "Chart.yaml" && rel != "values.yaml":
			c.files[rel] = content
		}
		return nil
	})
	return c, err
}

// readObjects reads a multi-document YAML stream; an empty path means no objects.
func readObjects(file string) ([]map[string]interface{}, error) {
	if file == "" {
		return nil, nil
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var objects []map[string]interface{}
	for _, document := range strings.Split("\n"+string(raw), "\n---") {
		object := map[string]interface{}{}
		if err := yaml.Unmarshal([]byte(document), &object); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		if len(object) > 0 {
			objects = append(objects, object)
		}
	}
	return objects, nil
}

func readYAMLMap(file string) (map[string]interface{}, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	values := map[string]interface{}{}
	if err := yaml.Unmarshal(raw, &values); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return values, nil
}

// coalesce merges overrides into base as Helm does for -f files: maps merge key by key, any
// other value replaces, and null deletes the key.
func coalesce(base, overrides map[string]interface{}) map[string]interface{} {
	merged := map[string]interface{}{}
	for k, v := range base {
		merged[k] = v
	}
	for k, v := range overrides {
		if v == nil {
			delete(merged, k)
			continue
		}
		baseMap, baseIsMap := merged[k].(map[string]interface{})
		overMap, overIsMap := v.(map[string]interface{})
		if baseIsMap && overIsMap {
			merged[k] = coalesce(baseMap, overMap)
		} else {
			merged[k] = v
		}
	}
	return merged
}

func render(c *chart, top map[string]interface{}, live []map[string]interface{}) (map[string]string, error) {
	t := template.New("gotpl").Option("missingkey=zero")
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	depth := map[string]int{}
	funcs["include"] = func(name string, data interface{}) (string, error) {
		if depth[name] > 1000 {
			return "", fmt.Errorf("include %q: recursion too deep", name)
		}
		depth[name]++
		defer func() { depth[name]-- }()
		var buf strings.Builder
		err := t.ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		clone, err := t.Clone()
		if err != nil {
			return "", err
		}
		parsed, err := clone.New("tpl").Parse(text)
		if err != nil {
			return "", err
		}
		var buf strings.Builder
		err = parsed.Execute(&buf, data)
		return strings.ReplaceAll(buf.String(), "<no value>", ""), err
	}
	funcs["required"] = func(message string, value interface{}) (interface{}, error) {
		if value == nil {
			return nil, errors.New(message)
		}
		if s, ok := value.(string); ok && s == "" {
			return nil, errors.New(message)
		}
		return value, nil
	}
	funcs["lookup"] = func(apiVersion, kind, namespace, name string) (map[string]interface{}, error) {
		var items []interface{}
		for _, object := range live {
			meta, _ := object["metadata"].(map[string]interface{})
			if object["apiVersion"] != apiVersion || object["kind"] != kind ||
				(namespace != "" && meta["namespace"] != namespace) {
				continue
			}
			if name == "" {
				items = append(items, object)
			} else if meta["name"] == name {
				return object, nil
			}
		}
		if name == "" && len(items) > 0 {
			return map[string]interface{}{"items": items}, nil
		}
		return map[string]interface{}{}, nil
	}
	funcs["toYaml"] = func(v interface{}) string {
		data, err := yaml.Marshal(v)
		if err != nil {
			return ""
		}
		return strings.TrimSuffix(string(data), "\n")
	}
	funcs["fromYaml"] = func(s string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := yaml.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	funcs["toJson"] = func(v interface{}) string {
		data, err := json.Marshal(v)
		if err != nil {
			return ""
		}
		return string(data)
	}
	funcs["fromJson"] = func(s string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	t.Funcs(funcs)

	names := sortedKeys(c.templates)
	for _, name := range names {
		if _, err := t.New(name).Parse(c.templates[name]); err != nil {
			return nil, fmt.Errorf("parse error in %s: %w", name, err)
		}
	}
	rendered := map[string]string{}
	for _, name := range names {
		if strings.HasPrefix(path.Base(name), "_") {
			continue
		}
		top["Template"] = map[string]interface{}{"Name": name, "BasePath": path.Join(c.meta.Name, "templates")}
		var buf bytes.Buffer
		if err := t.ExecuteTemplate(&buf, name, top); err != nil {
			return nil, fmt.Errorf("execution error in %s: %w", name, err)
		}
		rendered[name] = strings.ReplaceAll(buf.String(), "<no value>", "")
	}
	return rendered, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
