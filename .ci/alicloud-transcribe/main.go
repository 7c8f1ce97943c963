// Mechanical transcription of terraform-plugin-sdk v1 resource schemas from a provider's Go source into the
// JSON `providers schema -json` prints, following helper/schema/core_schema.go of terraform-plugin-sdk v1.17.2
// (the SDK aliyun/alicloud 1.289.0 serves its schema through). Used for alicloud.json, whose plugin cannot be
// built here; see lib/providers/schemas/SOURCES.md. Not part of the build or the tests.
//
// Usage (from this directory, with the provider's source tree at the release tag in <src>):
//
//	go run . <src>/alicloud <src>/alicloud/provider.go <type> [data.<type>]... > types.json
//
// Prints {"resource_schemas": {...}, "data_source_schemas": {...}} with descriptions left out, keys in the order
// OpenTofu prints them; stops with the position of any Go construct it cannot evaluate.
package main

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

var funcs = map[string]*ast.FuncDecl{}
var consts = map[string]ast.Expr{}
var fset = token.NewFileSet()

func fail(pos token.Pos, format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s: %s\n", fset.Position(pos), fmt.Sprintf(format, args...))
	os.Exit(1)
}

// ---- the SDK's schema model (only what core_schema.go reads) ----

type Schema struct {
	Type                                    string // TypeString, TypeBool, TypeInt, TypeFloat, TypeList, TypeSet, TypeMap
	Optional, Required, Computed, Sensitive bool
	Deprecated                              bool // a non-empty Deprecated message
	MinItems, MaxItems                      int
	Elem                                    any // *Schema, *Resource, string (ValueType), nil
	ConfigMode                              string
	HasDefaultFunc                          bool
	DefaultFuncNil                          bool // DefaultFunc evaluates to nil (known from the expression)
}

type Resource struct {
	Schema        map[string]*Schema
	Timeouts      []string // create, read, update, delete, default
	SchemaVersion int
	Deprecated    bool
}

// ---- evaluation of Go expressions ----

func unparen(e ast.Expr) ast.Expr {
	for {
		switch x := e.(type) {
		case *ast.ParenExpr:
			e = x.X
		case *ast.UnaryExpr:
			if x.Op == token.AND {
				e = x.X
			} else {
				return e
			}
		default:
			return e
		}
	}
}

// returned: the expression a package function without arguments returns (single return statement,
// possibly after `x := <expr>` assignments that the return names).
func returned(call *ast.CallExpr) ast.Expr {
	id, ok := call.Fun.(*ast.Ident)
	if !ok {
		fail(call.Pos(), "call of %T, not a package function", call.Fun)
	}
	fd := funcs[id.Name]
	if fd == nil {
		fail(call.Pos(), "function %s not found in the package", id.Name)
	}
	if len(call.Args) != 0 {
		fail(call.Pos(), "function %s called with arguments; not followed", id.Name)
	}
	vars := map[string]ast.Expr{}
	for _, st := range fd.Body.List {
		switch s := st.(type) {
		case *ast.AssignStmt:
			if len(s.Lhs) == 1 && len(s.Rhs) == 1 {
				if lid, ok := s.Lhs[0].(*ast.Ident); ok {
					vars[lid.Name] = s.Rhs[0]
					continue
				}
			}
			fail(s.Pos(), "statement in %s not followed", id.Name)
		case *ast.ReturnStmt:
			r := s.Results[0]
			if rid, ok := r.(*ast.Ident); ok && vars[rid.Name] != nil {
				return vars[rid.Name]
			}
			return r
		default:
			fail(s.Pos(), "statement %T in %s not followed", s, id.Name)
		}
	}
	fail(fd.Pos(), "no return in %s", id.Name)
	return nil
}

func evalString(e ast.Expr) string {
	switch x := unparen(e).(type) {
	case *ast.BasicLit:
		if x.Kind == token.STRING {
			s, err := strconv.Unquote(x.Value)
			if err != nil {
				fail(x.Pos(), "bad string %s", x.Value)
			}
			return s
		}
	case *ast.Ident:
		if c, ok := consts[x.Name]; ok {
			return evalString(c)
		}
	case *ast.BinaryExpr:
		if x.Op == token.ADD {
			return evalString(x.X) + evalString(x.Y)
		}
	case *ast.CallExpr:
		// fmt.Sprintf("...") and the like: a message; its exact text does not matter, only that it is non-empty
		if sel, ok := x.Fun.(*ast.SelectorExpr); ok && fmt.Sprint(sel.X) == "fmt" && strings.HasPrefix(sel.Sel.Name, "Sprint") {
			return evalString(x.Args[0]) + "…"
		}
	}
	fail(e.Pos(), "cannot evaluate string %T", e)
	return ""
}

func evalBool(e ast.Expr) bool {
	if id, ok := unparen(e).(*ast.Ident); ok && (id.Name == "true" || id.Name == "false") {
		return id.Name == "true"
	}
	fail(e.Pos(), "cannot evaluate bool %T", e)
	return false
}

func evalInt(e ast.Expr) int {
	switch x := unparen(e).(type) {
	case *ast.BasicLit:
		if x.Kind == token.INT {
			n, _ := strconv.Atoi(x.Value)
			return n
		}
	case *ast.Ident:
		if c, ok := consts[x.Name]; ok {
			return evalInt(c)
		}
	}
	fail(e.Pos(), "cannot evaluate int %T", e)
	return 0
}

func schemaSel(e ast.Expr) string {
	if sel, ok := unparen(e).(*ast.SelectorExpr); ok && fmt.Sprint(sel.X) == "schema" {
		return sel.Sel.Name
	}
	fail(e.Pos(), "expected schema.<name>, got %T", e)
	return ""
}

func evalSchema(e ast.Expr) *Schema {
	e = unparen(e)
	if call, ok := e.(*ast.CallExpr); ok {
		return evalSchema(returned(call))
	}
	lit, ok := e.(*ast.CompositeLit)
	if !ok {
		fail(e.Pos(), "schema is %T, not a composite literal", e)
	}
	s := &Schema{}
	for _, el := range lit.Elts {
		kv := el.(*ast.KeyValueExpr)
		key := kv.Key.(*ast.Ident).Name
		switch key {
		case "Type":
			s.Type = schemaSel(kv.Value)
		case "Optional":
			s.Optional = evalBool(kv.Value)
		case "Required":
			s.Required = evalBool(kv.Value)
		case "Computed":
			s.Computed = evalBool(kv.Value)
		case "Sensitive":
			s.Sensitive = evalBool(kv.Value)
		case "Deprecated":
			s.Deprecated = evalString(kv.Value) != ""
		case "MinItems":
			s.MinItems = evalInt(kv.Value)
		case "MaxItems":
			s.MaxItems = evalInt(kv.Value)
		case "ConfigMode":
			s.ConfigMode = schemaSel(kv.Value)
		case "Elem":
			s.Elem = evalElem(kv.Value)
		case "DefaultFunc":
			s.HasDefaultFunc = true
			// schema.EnvDefaultFunc("X", nil) returns nil when X is unset
			if call, ok := unparen(kv.Value).(*ast.CallExpr); ok {
				if sel, ok := call.Fun.(*ast.SelectorExpr); ok && fmt.Sprint(sel.X) == "schema" &&
					(sel.Sel.Name == "EnvDefaultFunc" || sel.Sel.Name == "MultiEnvDefaultFunc") {
					if id, ok := call.Args[1].(*ast.Ident); ok && id.Name == "nil" {
						s.DefaultFuncNil = true
					}
				}
			}
		case "Removed", "Default", "ValidateFunc", "DiffSuppressFunc", "ConflictsWith", "ForceNew", "Set",
			"StateFunc", "Description", "AtLeastOneOf", "ExactlyOneOf", "RequiredWith", "InputDefault",
			"DiffSuppressOnRefresh", "ComputedWhen", "PromoteSingle":
			// not read by core_schema.go (Removed fields are still emitted)
		default:
			fail(kv.Pos(), "unknown Schema field %s", key)
		}
	}
	return s
}

func evalElem(e ast.Expr) any {
	e = unparen(e)
	if call, ok := e.(*ast.CallExpr); ok {
		return evalElem(returned(call))
	}
	if sel, ok := e.(*ast.SelectorExpr); ok && fmt.Sprint(sel.X) == "schema" {
		return sel.Sel.Name // a ValueType
	}
	lit, ok := e.(*ast.CompositeLit)
	if !ok {
		fail(e.Pos(), "Elem is %T", e)
	}
	switch fmt.Sprint(lit.Type) {
	case "&{schema Schema}":
		return evalSchema(lit)
	case "&{schema Resource}":
		return evalResource(lit)
	}
	fail(e.Pos(), "Elem of type %v", lit.Type)
	return nil
}

func evalSchemaMap(e ast.Expr) map[string]*Schema {
	e = unparen(e)
	if call, ok := e.(*ast.CallExpr); ok {
		return evalSchemaMap(returned(call))
	}
	lit, ok := e.(*ast.CompositeLit)
	if !ok {
		fail(e.Pos(), "schema map is %T", e)
	}
	out := map[string]*Schema{}
	for _, el := range lit.Elts {
		kv := el.(*ast.KeyValueExpr)
		name := evalString(kv.Key)
		if _, dup := out[name]; dup {
			fail(kv.Pos(), "duplicate key %s", name)
		}
		out[name] = evalSchema(kv.Value)
	}
	return out
}

func evalResource(e ast.Expr) *Resource {
	e = unparen(e)
	if call, ok := e.(*ast.CallExpr); ok {
		return evalResource(returned(call))
	}
	lit, ok := e.(*ast.CompositeLit)
	if !ok {
		fail(e.Pos(), "resource is %T", e)
	}
	r := &Resource{}
	for _, el := range lit.Elts {
		kv := el.(*ast.KeyValueExpr)
		switch key := kv.Key.(*ast.Ident).Name; key {
		case "Schema":
			r.Schema = evalSchemaMap(kv.Value)
		case "SchemaVersion":
			r.SchemaVersion = evalInt(kv.Value)
		case "DeprecationMessage":
			r.Deprecated = evalString(kv.Value) != ""
		case "Timeouts":
			t := unparen(kv.Value).(*ast.CompositeLit)
			for _, te := range t.Elts {
				r.Timeouts = append(r.Timeouts, strings.ToLower(te.(*ast.KeyValueExpr).Key.(*ast.Ident).Name))
			}
		case "Create", "Read", "Update", "Delete", "Exists", "Importer", "CustomizeDiff", "StateUpgraders",
			"MigrateState", "Description":
		default:
			fail(kv.Pos(), "unknown Resource field %s", key)
		}
	}
	return r
}

// ---- core_schema.go (terraform-plugin-sdk v1.17.2), ported ----

type Attr struct {
	Type                                          any
	Optional, Required, Computed, Sensitive, Depr bool
}
type Nested struct {
	Nesting            string
	Block              *Block
	MinItems, MaxItems int
}
type Block struct {
	Attributes map[string]*Attr
	BlockTypes map[string]*Nested
	Deprecated bool
}

func coreBlock(m map[string]*Schema) *Block {
	b := &Block{Attributes: map[string]*Attr{}, BlockTypes: map[string]*Nested{}}
	for name, s := range m {
		if s.Elem == nil {
			b.Attributes[name] = coreAttr(s)
			continue
		}
		if s.Type == "TypeMap" {
			if _, isRes := s.Elem.(*Resource); isRes {
				c := *s
				c.Elem = &Schema{Type: "TypeString"}
				b.Attributes[name] = coreAttr(&c)
				continue
			}
		}
		switch s.ConfigMode {
		case "SchemaConfigModeAttr":
			b.Attributes[name] = coreAttr(s)
		case "SchemaConfigModeBlock":
			b.BlockTypes[name] = coreNested(s)
		default:
			if s.Computed && !s.Optional {
				b.Attributes[name] = coreAttr(s)
				continue
			}
			switch s.Elem.(type) {
			case *Schema, string:
				b.Attributes[name] = coreAttr(s)
			case *Resource:
				b.BlockTypes[name] = coreNested(s)
			}
		}
	}
	return b
}

func coreAttr(s *Schema) *Attr {
	reqd, opt := s.Required, s.Optional
	if reqd && s.HasDefaultFunc {
		if !s.DefaultFuncNil {
			fail(token.NoPos, "Required with a DefaultFunc whose value is not known statically")
		}
	}
	return &Attr{Type: coreType(s), Optional: opt, Required: reqd, Computed: s.Computed, Sensitive: s.Sensitive, Depr: s.Deprecated}
}

func coreNested(s *Schema) *Nested {
	r := s.Elem.(*Resource)
	n := &Nested{Block: coreBlock(r.Schema)}
	n.Block.Deprecated = s.Deprecated
	switch s.Type {
	case "TypeList":
		n.Nesting = "list"
	case "TypeSet":
		n.Nesting = "set"
	case "TypeMap":
		n.Nesting = "map"
	default:
		fail(token.NoPos, "invalid type %s for a resource Elem", s.Type)
	}
	n.MinItems, n.MaxItems = s.MinItems, s.MaxItems
	if s.Required && s.MinItems == 0 {
		n.MinItems = 1
	}
	if s.Optional && s.MinItems > 0 {
		n.MinItems = 0
	}
	if s.Computed && !s.Optional {
		n.MinItems, n.MaxItems = 0, 0
	}
	return n
}

func coreType(s *Schema) any {
	switch s.Type {
	case "TypeString":
		return "string"
	case "TypeBool":
		return "bool"
	case "TypeInt", "TypeFloat":
		return "number"
	case "TypeList", "TypeSet", "TypeMap":
		var elem any
		switch x := s.Elem.(type) {
		case *Schema:
			elem = coreType(x)
		case string:
			elem = coreType(&Schema{Type: x})
		case *Resource:
			elem = impliedType(coreBlock(x.Schema))
		case nil:
			elem = "string"
		}
		return []any{map[string]string{"TypeList": "list", "TypeSet": "set", "TypeMap": "map"}[s.Type], elem}
	}
	fail(token.NoPos, "invalid type %q", s.Type)
	return nil
}

// configschema.Block.ImpliedType (no dynamic types occur in SDK v1 schemas)
func impliedType(b *Block) any {
	fields := map[string]any{}
	for n, a := range b.Attributes {
		fields[n] = a.Type
	}
	for n, nb := range b.BlockTypes {
		t := impliedType(nb.Block)
		switch nb.Nesting {
		case "list", "set", "map":
			fields[n] = []any{nb.Nesting, t}
		default:
			fields[n] = t
		}
	}
	return []any{"object", fields}
}

func topLevel(r *Resource) *Block {
	b := coreBlock(r.Schema)
	b.Deprecated = r.Deprecated
	if b.Attributes["id"] == nil {
		b.Attributes["id"] = &Attr{Type: "string", Optional: true, Computed: true}
	}
	_, ta := b.Attributes["timeouts"]
	_, tb := b.BlockTypes["timeouts"]
	if len(r.Timeouts) > 0 && !ta && !tb {
		t := &Block{Attributes: map[string]*Attr{}, BlockTypes: map[string]*Nested{}}
		for _, op := range r.Timeouts {
			t.Attributes[op] = &Attr{Type: "string", Optional: true}
		}
		b.BlockTypes["timeouts"] = &Nested{Nesting: "single", Block: t}
	}
	return b
}

// ---- JSON in OpenTofu's jsonprovider field order, descriptions left out as in the checked-in files ----

type kv struct {
	k string
	v any
}
type ordered []kv

func (o ordered) MarshalJSON() ([]byte, error) {
	var sb strings.Builder
	sb.WriteString("{")
	for i, p := range o {
		if i > 0 {
			sb.WriteString(",")
		}
		k, _ := json.Marshal(p.k)
		v, err := json.Marshal(p.v)
		if err != nil {
			return nil, err
		}
		sb.Write(k)
		sb.WriteString(":")
		sb.Write(v)
	}
	sb.WriteString("}")
	return []byte(sb.String()), nil
}

func sortedKeys[T any](m map[string]T) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func blockJSON(b *Block) ordered {
	var o ordered
	if len(b.Attributes) > 0 {
		var attrs ordered
		for _, n := range sortedKeys(b.Attributes) {
			a := b.Attributes[n]
			ao := ordered{{"type", a.Type}, {"description_kind", "plain"}}
			if a.Depr {
				ao = append(ao, kv{"deprecated", true})
			}
			if a.Required {
				ao = append(ao, kv{"required", true})
			}
			if a.Optional {
				ao = append(ao, kv{"optional", true})
			}
			if a.Computed {
				ao = append(ao, kv{"computed", true})
			}
			if a.Sensitive {
				ao = append(ao, kv{"sensitive", true})
			}
			attrs = append(attrs, kv{n, ao})
		}
		o = append(o, kv{"attributes", attrs})
	}
	if len(b.BlockTypes) > 0 {
		var bts ordered
		for _, n := range sortedKeys(b.BlockTypes) {
			nb := b.BlockTypes[n]
			no := ordered{{"nesting_mode", nb.Nesting}, {"block", blockJSON(nb.Block)}}
			if nb.MinItems > 0 {
				no = append(no, kv{"min_items", nb.MinItems})
			}
			if nb.MaxItems > 0 {
				no = append(no, kv{"max_items", nb.MaxItems})
			}
			bts = append(bts, kv{n, no})
		}
		o = append(o, kv{"block_types", bts})
	}
	o = append(o, kv{"description_kind", "plain"})
	if b.Deprecated {
		o = append(o, kv{"deprecated", true})
	}
	return o
}

// registrations: type name -> constructor function name, from provider.go's ResourcesMap / DataSourcesMap
func registrations(file *ast.File) (res, data map[string]string) {
	res, data = map[string]string{}, map[string]string{}
	ast.Inspect(file, func(n ast.Node) bool {
		kve, ok := n.(*ast.KeyValueExpr)
		if !ok {
			return true
		}
		id, ok := kve.Key.(*ast.Ident)
		if !ok || (id.Name != "ResourcesMap" && id.Name != "DataSourcesMap") {
			return true
		}
		target := res
		if id.Name == "DataSourcesMap" {
			target = data
		}
		for _, el := range kve.Value.(*ast.CompositeLit).Elts {
			e := el.(*ast.KeyValueExpr)
			call := e.Value.(*ast.CallExpr)
			target[evalString(e.Key)] = call.Fun.(*ast.Ident).Name
		}
		return false
	})
	return
}

func main() {
	dir, providerFile, types := os.Args[1], os.Args[2], os.Args[3:]
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	var provider *ast.File
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			fail(token.NoPos, "%v", err)
		}
		if filepath.Base(f) == filepath.Base(providerFile) {
			provider = af
		}
		for _, d := range af.Decls {
			switch x := d.(type) {
			case *ast.FuncDecl:
				if x.Recv == nil {
					funcs[x.Name.Name] = x
				}
			case *ast.GenDecl:
				if x.Tok == token.CONST {
					for _, sp := range x.Specs {
						vs := sp.(*ast.ValueSpec)
						for i, n := range vs.Names {
							if i < len(vs.Values) {
								consts[n.Name] = vs.Values[i]
							}
						}
					}
				}
			}
		}
	}
	res, data := registrations(provider)
	var rs, ds ordered
	sort.Strings(types)
	for _, t := range types {
		isData := strings.HasPrefix(t, "data.")
		name := strings.TrimPrefix(t, "data.")
		reg := res
		if isData {
			reg = data
		}
		fn := reg[name]
		if fn == "" {
			fail(token.NoPos, "%s is not registered in %s", t, providerFile)
		}
		r := evalResource(returned(&ast.CallExpr{Fun: ast.NewIdent(fn)}))
		fmt.Fprintf(os.Stderr, "%s: %s (%d top-level fields)\n", t, fn, len(r.Schema))
		entry := ordered{{"version", r.SchemaVersion}, {"block", blockJSON(topLevel(r))}}
		if isData {
			ds = append(ds, kv{name, entry})
		} else {
			rs = append(rs, kv{name, entry})
		}
	}
	out, err := json.Marshal(ordered{{"resource_schemas", rs}, {"data_source_schemas", ds}})
	if err != nil {
		fail(token.NoPos, "%v", err)
	}
	os.Stdout.Write(out)
}
