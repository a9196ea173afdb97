package compat

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/labstack/echo/v5"

	"github.com/probehub/probehub/compat/api"
	"github.com/probehub/probehub/kernels"
)

// Alias is a meta-package of the catalog: it names no kernel of its own
// but depends on the kernel of Kernel.Release.
type Alias struct {
	Name    string
	Version string
	Kernel  kernels.Key
	Source  string
}

// AliasCatalog is a Catalog that also lists meta-packages. The index asks
// for aliases only when the catalog source implements it.
type AliasCatalog interface {
	Aliases(ctx context.Context) ([]Alias, error)
}

var (
	_ AliasCatalog = (*Static)(nil)
	_ AliasCatalog = CatalogFile("")
)

// Aliases returns AliasList.
func (s *Static) Aliases(context.Context) ([]Alias, error) { return s.AliasList, nil }

// Aliases reads the catalog file's meta-packages.
func (p CatalogFile) Aliases(context.Context) ([]Alias, error) {
	c, err := kernels.Load(string(p))
	if err != nil {
		return nil, fmt.Errorf("load catalog: %w", err)
	}
	var out []Alias
	for _, a := range c.Aliases() {
		out = append(out, Alias{Name: a.Name, Version: a.Version, Kernel: a.Kernel, Source: a.Source})
	}
	return out, nil
}

// readAliases reads the catalog's aliases when it has any.
func readAliases(ctx context.Context, src Sources) ([]Alias, error) {
	ac, ok := src.Catalog.(AliasCatalog)
	if !ok {
		return nil, nil
	}
	as, err := ac.Aliases(ctx)
	if err != nil {
		return nil, fmt.Errorf("read catalog aliases: %w", err)
	}
	return as, nil
}

// indexAliases builds the alias views, sorted by distro, version, arch and
// name; an alias with an invalid key is left out, as a kernel is.
func (ix *index) indexAliases(as []Alias) {
	ix.aliases = make([]api.Alias, 0, len(as))
	for _, a := range as {
		k := normalizeKey(a.Kernel)
		if k.Validate() != nil || a.Name == "" {
			continue
		}
		status := api.Unknown
		if e := ix.byKey[k]; e != nil {
			status = api.Pending
			if n := len(e.view.Probes); n > 0 {
				status = e.view.Probes[n-1].Status
			}
		}
		ix.aliases = append(ix.aliases, api.Alias{Name: a.Name, Version: a.Version, Distro: k.Distro,
			VersionID: k.VersionID, Arch: k.Arch, Release: k.Release, Kernel: k.String(), Status: status, Source: a.Source})
	}
	slices.SortFunc(ix.aliases, func(a, b api.Alias) int {
		return cmp.Or(strings.Compare(a.Distro, b.Distro), compareVersions(a.VersionID, b.VersionID),
			strings.Compare(a.Arch, b.Arch), strings.Compare(a.Name, b.Name))
	})
}

// aliasQuery is a parsed GET /v1/aliases query; empty fields match all.
type aliasQuery struct {
	distro, version, arch, name string
}

var aliasNameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9.+-]{0,127}$`)

func parseAliasQuery(q url.Values) (aliasQuery, error) {
	for name, vs := range q {
		if !contains([]string{"distro", "version", "arch", "name"}, name) {
			return aliasQuery{}, fieldErr(name, "unknown query parameter (distro, version, arch, name)")
		}
		if len(vs) > 1 {
			return aliasQuery{}, fieldErr(name, "give it once")
		}
	}
	a := aliasQuery{distro: q.Get("distro"), version: q.Get("version"), arch: q.Get("arch"), name: q.Get("name")}
	var ke *kernels.KeyError
	if err := (kernels.Key{Distro: a.distro, VersionID: a.version, Arch: a.arch}).ValidatePartial(); errors.As(err, &ke) {
		field := ke.Field
		if field == "version_id" {
			field = "version"
		}
		return aliasQuery{}, fieldErr(field, ke.Want)
	}
	if a.name != "" && !aliasNameRe.MatchString(a.name) {
		return aliasQuery{}, fieldErr("name", "want a Debian package name such as linux-image-generic-hwe-22.04")
	}
	a.arch = normalizeArch(a.arch)
	return a, nil
}

func (a aliasQuery) matches(x *api.Alias) bool {
	return (a.distro == "" || x.Distro == a.distro) && (a.version == "" || x.VersionID == a.version) &&
		(a.arch == "" || x.Arch == a.arch) && (a.name == "" || x.Name == a.name)
}

// aliasesHandler is GET /v1/aliases[?distro=&version=&arch=&name=].
func (s *Server) aliasesHandler(c *echo.Context) error {
	q, err := parseAliasQuery(c.QueryParams())
	if err != nil {
		return err
	}
	out := api.AliasList{Aliases: []api.Alias{}}
	for i := range s.index().aliases {
		if x := &s.index().aliases[i]; q.matches(x) {
			out.Aliases = append(out.Aliases, *x)
		}
	}
	return c.JSON(http.StatusOK, out)
}
