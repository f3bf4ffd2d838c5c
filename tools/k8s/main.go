// Command k8s-validate builds every Kustomize overlay under k8s/ and checks the result offline:
// each object is decoded strictly into its typed Kubernetes (or Prometheus Operator) Go struct
// with unknown fields rejected, names and labels are checked with the API server's own
// validation functions, and the manifests are checked against what the cxpulse processor and
// outreach service really serve and read (ports, probe paths, config keys, environment,
// volumes, who may reach them).
//
// Usage: k8s-validate -root REPO [-cxpulse PATH_TO_BINARY] [-v] [-print OVERLAY]
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
)

func main() {
	root := flag.String("root", ".", "repository root (holds k8s/ and runtime/)")
	binary := flag.String("cxpulse", "", "cxpulse binary used for `run --dry-run` of each config")
	verbose := flag.Bool("v", false, "print every object")
	print := flag.String("print", "", "print the built YAML of this overlay (base, dev, prod) and exit")
	flag.Parse()

	if *print != "" {
		dir := filepath.Join(*root, "k8s", "overlays", *print)
		if *print == "base" {
			dir = filepath.Join(*root, "k8s", "base")
		}
		out, err := buildYAML(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, "k8s-validate:", err)
			os.Exit(1)
		}
		os.Stdout.Write(out)
		return
	}

	dirs, err := kustomizations(*root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "k8s-validate:", err)
		os.Exit(2)
	}
	if *binary != "" {
		abs, err := filepath.Abs(*binary)
		if _, statErr := os.Stat(abs); err != nil || statErr != nil {
			fmt.Fprintf(os.Stderr, "k8s-validate: -cxpulse %s: no such binary\n", *binary)
			os.Exit(2)
		}
		*binary = abs
	}
	configChecker, note := newConfigChecker(*root, *binary)
	fmt.Println("k8s-validate: processor config check:", note)

	results := validate(*root, dirs, configChecker, *verbose)
	if *binary != "" {
		if _, err := exec.LookPath("dpkg"); err == nil {
			results = append(results, checkImageLibraries(*root, *binary))
		}
	}
	passed, failed := 0, 0
	for _, r := range results {
		if len(r.problems) == 0 {
			passed++
			fmt.Printf("ok   %s (%d checked)\n", r.dir, r.objects)
			continue
		}
		failed++
		fmt.Printf("FAIL %s\n", r.dir)
		for _, p := range r.problems {
			fmt.Printf("     - %s\n", p)
		}
	}
	fmt.Printf("%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		os.Exit(1)
	}
}

// result is the outcome for one kustomization directory.
type result struct {
	dir      string // relative to the repository root
	objects  int
	problems []string // sorted
}

// validate builds and checks every directory; the first one's rules: section is the reference
// the others must equal.
func validate(root string, dirs []string, cc *configChecker, verbose bool) []result {
	var baseRules any
	var results []result
	for _, dir := range dirs {
		rel, _ := filepath.Rel(root, dir)
		r := result{dir: rel}
		objs, err := buildAndDecode(dir)
		if err != nil {
			r.problems = []string{err.Error()}
			results = append(results, r)
			continue
		}
		r.objects = len(objs)
		if verbose {
			for _, o := range objs {
				fmt.Printf("  %s: %s %s\n", rel, o.kind, o.name)
			}
		}
		c := &checker{overlay: filepath.Base(dir), root: root, objs: objs, config: cc}
		c.run()
		if rules, ok := c.processorRules(); ok {
			if baseRules == nil {
				baseRules = rules
			} else if !equalYAML(baseRules, rules) {
				c.failf("the rules: section differs from k8s/base's; keep it identical in every overlay")
			}
		}
		sort.Strings(c.problems)
		r.problems = c.problems
		results = append(results, r)
	}
	return results
}

// kustomizations lists k8s/base and every k8s/overlays/* holding a kustomization.yaml, base
// first (its rules section is the reference the overlays are compared with).
func kustomizations(root string) ([]string, error) {
	base := filepath.Join(root, "k8s", "base")
	if _, err := os.Stat(filepath.Join(base, "kustomization.yaml")); err != nil {
		return nil, fmt.Errorf("no k8s/base/kustomization.yaml under %s", root)
	}
	overlays, err := filepath.Glob(filepath.Join(root, "k8s", "overlays", "*", "kustomization.yaml"))
	if err != nil {
		return nil, err
	}
	if len(overlays) == 0 {
		return nil, fmt.Errorf("no k8s/overlays/*/kustomization.yaml under %s", root)
	}
	sort.Strings(overlays)
	dirs := []string{base}
	for _, o := range overlays {
		dirs = append(dirs, filepath.Dir(o))
	}
	return dirs, nil
}
