package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// In debian:bookworm-slim already (essential packages).
var slimBase = []string{"libc6", "libstdc++6", "libgcc-s1", "zlib1g"}

var debName = regexp.MustCompile(`^[a-z0-9][a-z0-9.+-]+$`)

// runtimePackages reads the packages the Dockerfile's last stage installs with apt-get.
func runtimePackages(dockerfile string) ([]string, error) {
	data, err := os.ReadFile(dockerfile)
	if err != nil {
		return nil, err
	}
	text := strings.ReplaceAll(string(data), "\\\n", " ")
	stages := regexp.MustCompile(`(?m)^FROM `).Split(text, -1)
	var pkgs []string
	for _, line := range strings.Split(stages[len(stages)-1], "\n") {
		if !strings.HasPrefix(line, "RUN ") {
			continue
		}
		for _, cmd := range strings.Split(line, "&&") {
			fields := strings.Fields(cmd)
			for i, f := range fields {
				if f != "install" || i == 0 || fields[i-1] != "apt-get" {
					continue
				}
				for _, p := range fields[i+1:] {
					if debName.MatchString(p) {
						pkgs = append(pkgs, p)
					}
				}
			}
		}
	}
	return pkgs, nil
}

// checkImageLibraries: every shared library the binary loads (`ldd`) comes from a package the
// Dockerfile's runtime stage installs, a direct dependency of one, or the slim base image.
func checkImageLibraries(root, binary string) result {
	r := result{dir: "Dockerfile (runtime libraries of " + binary + ")"}
	pkgs, err := runtimePackages(filepath.Join(root, "Dockerfile"))
	if err != nil {
		r.problems = append(r.problems, err.Error())
		return r
	}
	allowed := map[string]bool{}
	for _, p := range append(append([]string{}, slimBase...), pkgs...) {
		allowed[p] = true
		deps, _ := exec.Command("dpkg-query", "-W", "-f=${Pre-Depends}, ${Depends}", p).Output()
		for _, alt := range strings.Split(string(deps), ",") {
			for _, d := range strings.Split(alt, "|") {
				if f := strings.Fields(d); len(f) > 0 {
					allowed[strings.Split(f[0], ":")[0]] = true
				}
			}
		}
	}
	out, err := exec.Command("ldd", binary).Output()
	if err != nil {
		r.problems = append(r.problems, "ldd: "+err.Error())
		return r
	}
	for _, line := range strings.Split(string(out), "\n") {
		parts := strings.Fields(line)
		if len(parts) < 3 || parts[1] != "=>" {
			continue
		}
		r.objects++
		if parts[2] == "not" {
			r.problems = append(r.problems, parts[0]+" is not found on this machine")
			continue
		}
		owner := ""
		for _, candidate := range []string{parts[2], strings.TrimPrefix(parts[2], "/usr"), "/usr" + parts[2]} {
			if o, err := exec.Command("dpkg", "-S", candidate).Output(); err == nil {
				owner = strings.SplitN(string(o), ":", 2)[0]
				break
			}
		}
		if owner == "" {
			r.problems = append(r.problems, parts[2]+" belongs to no Debian package (the image cannot install it)")
		} else if !allowed[owner] {
			r.problems = append(r.problems, parts[0]+" comes from "+owner+", which the Dockerfile's runtime stage does not install")
		}
	}
	sort.Strings(r.problems)
	return r
}
