package image

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/probehub/probehub/ci/debmirror"
)

// Suite is the Debian suite the base packages come from: its main
// component only changes at point releases, so builds stay reproducible
// between them.
const Suite = "bookworm"

// debs fetches Debian packages through a private apt state (its own sources
// list and package lists under dir), leaving the system's apt alone.
type debs struct {
	dir     string
	refresh bool // run apt-get update even when the packages are cached
	updated bool
}

func (d *debs) opts() []string {
	return []string{
		"-o", "Dir::Etc::SourceList=" + filepath.Join(d.dir, "sources.list"),
		"-o", "Dir::Etc::SourceParts=/dev/null",
		"-o", "Dir::State::Lists=" + filepath.Join(d.dir, "lists"),
		"-o", "Dir::State::Status=/dev/null",
		"-o", "Dir::Cache=" + filepath.Join(d.dir, "cache"),
		"-o", "APT::Architecture=amd64",
		"-o", "APT::Architectures::=amd64", "-o", "APT::Architectures::=arm64",
		"-o", "Debug::NoLocking=1",
	}
}

// get returns the path of pkg (name:arch) as a .deb, downloading it the
// first time (apt-get checks the archive's signature and the package's
// hash).
func (d *debs) get(ctx context.Context, name, arch string) (string, error) {
	dir := filepath.Join(d.dir, "debs")
	glob := filepath.Join(dir, name+"_*_"+arch+".deb")
	if m, _ := filepath.Glob(glob); len(m) > 0 && !d.refresh {
		sort.Strings(m)
		return m[len(m)-1], nil
	}
	if err := d.update(ctx); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create deb cache: %w", err)
	}
	// apt-get download writes the file in place: download into a private
	// directory and rename it in, so an interrupted download (a timeout, a
	// kill) never leaves a partial .deb that the glob above takes as cached.
	tmp, err := os.MkdirTemp(dir, ".download-")
	if err != nil {
		return "", fmt.Errorf("create deb download directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	cmd := exec.CommandContext(ctx, "apt-get", append(d.opts(), "-qq", "download", name+":"+arch)...)
	cmd.Dir = tmp
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("apt-get download %s:%s: %w: %s", name, arch, err, out)
	}
	m, _ := filepath.Glob(filepath.Join(tmp, name+"_*_"+arch+".deb"))
	if len(m) == 0 {
		return "", fmt.Errorf("apt-get download %s:%s: no .deb written in %s", name, arch, tmp)
	}
	sort.Strings(m)
	got := filepath.Join(dir, filepath.Base(m[len(m)-1]))
	if err := os.Rename(m[len(m)-1], got); err != nil {
		return "", fmt.Errorf("store %s: %w", got, err)
	}
	return got, nil
}

func (d *debs) update(ctx context.Context) error {
	if d.updated {
		return nil
	}
	uri, err := debmirror.URI("debian")
	if err != nil {
		return err
	}
	for _, sub := range []string{"lists/partial", "cache/archives/partial"} {
		if err := os.MkdirAll(filepath.Join(d.dir, sub), 0o755); err != nil {
			return fmt.Errorf("create apt state: %w", err)
		}
	}
	line := fmt.Sprintf("deb [arch=amd64,arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n", uri, Suite)
	if err := os.WriteFile(filepath.Join(d.dir, "sources.list"), []byte(line), 0o644); err != nil {
		return fmt.Errorf("write apt sources: %w", err)
	}
	cmd := exec.CommandContext(ctx, "apt-get", append(d.opts(), "-qq", "update")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("apt-get update (private state %s): %w: %s", d.dir, err, out)
	}
	d.updated = true
	return nil
}

// debFile is one regular file, directory or symlink from a package.
type debFile struct {
	Name     string // absolute path in the image, no trailing slash
	Mode     int64
	Type     byte // tar.TypeReg, tar.TypeDir or tar.TypeSymlink
	Linkname string
	Data     []byte
}

// debFiles returns the files of a .deb whose paths keep() accepts, read
// with dpkg-deb --fsys-tarfile.
func debFiles(ctx context.Context, deb string, keep func(string) bool) ([]debFile, error) {
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, "dpkg-deb", "--fsys-tarfile", deb)
	cmd.Stdout = &out
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("dpkg-deb --fsys-tarfile %s: %w: %s", deb, err, stderr.Bytes())
	}
	var files []debFile
	tr := tar.NewReader(&out)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", deb, err)
		}
		name := path.Clean("/" + strings.TrimPrefix(h.Name, "."))
		if name == "/" || !keep(name) {
			continue
		}
		f := debFile{Name: name, Mode: h.Mode & 0o7777, Type: h.Typeflag, Linkname: h.Linkname}
		switch h.Typeflag {
		case tar.TypeReg:
			if f.Data, err = io.ReadAll(tr); err != nil {
				return nil, fmt.Errorf("read %s from %s: %w", name, deb, err)
			}
		case tar.TypeDir, tar.TypeSymlink:
		default:
			continue
		}
		files = append(files, f)
	}
}

// caBundle concatenates the certificates of Debian's ca-certificates
// package in name order, as update-ca-certificates would write
// /etc/ssl/certs/ca-certificates.crt.
func caBundle(ctx context.Context, deb string) ([]byte, error) {
	files, err := debFiles(ctx, deb, func(n string) bool {
		return strings.HasPrefix(n, "/usr/share/ca-certificates/") && strings.HasSuffix(n, ".crt")
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(files, func(i, j int) bool { return path.Base(files[i].Name) < path.Base(files[j].Name) })
	var b bytes.Buffer
	for _, f := range files {
		if f.Type != tar.TypeReg {
			continue
		}
		b.Write(bytes.TrimRight(f.Data, "\n"))
		b.WriteByte('\n')
	}
	if b.Len() == 0 {
		return nil, fmt.Errorf("%s: no certificates under /usr/share/ca-certificates", deb)
	}
	return b.Bytes(), nil
}

// glibc returns the dynamic loader and shared libraries of Debian's libc6
// for the sensor (not gconv, locales or documentation).
func glibc(ctx context.Context, deb string) ([]debFile, error) {
	files, err := debFiles(ctx, deb, func(n string) bool {
		return n == "/lib" || n == "/lib64" || strings.HasPrefix(n, "/lib/") || strings.HasPrefix(n, "/lib64/")
	})
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: no files under /lib", deb)
	}
	return files, nil
}
