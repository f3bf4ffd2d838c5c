package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// The processor's config sections whose children are librdkafka properties, not cxpulse keys.
var passThrough = map[string]bool{"properties": true, "consumer_properties": true, "producer_properties": true}

var envRef = regexp.MustCompile(`\$\{([^}]*)\}`)

// processorConfig is the cxpulse.yaml the pod reads, taken from its ConfigMap.
type processorConfig struct {
	text []byte
	tree map[string]any
}

func (p *processorConfig) section(name string) map[string]any {
	m, _ := p.tree[name].(map[string]any)
	return m
}

func (p *processorConfig) str(section, key, fallback string) string {
	if v, ok := p.section(section)[key]; ok {
		return fmt.Sprint(v)
	}
	return fallback
}

// brokerPorts are the ports of kafka.bootstrap_servers (or a bootstrap.servers property,
// which wins in the processor).
func (p *processorConfig) brokerPorts() []int32 {
	servers := p.str("kafka", "bootstrap_servers", "127.0.0.1:9092")
	if props, ok := p.section("kafka")["properties"].(map[string]any); ok {
		if v, ok := props["bootstrap.servers"]; ok {
			servers = fmt.Sprint(v)
		}
	}
	var ports []int32
	for _, s := range strings.Split(servers, ",") {
		s = strings.TrimSpace(s)
		if i := strings.LastIndex(s, ":"); i >= 0 {
			if n, err := strconv.Atoi(s[i+1:]); err == nil {
				ports = append(ports, int32(n))
			}
		}
	}
	return ports
}

func (c *checker) processorRules() (any, bool) {
	if c.proc == nil {
		return nil, false
	}
	r, ok := c.proc.tree["rules"]
	return r, ok
}

// mountFor finds the container mount holding file, and the file's path inside the volume.
func (c *checker) mountFor(file string) (*corev1.VolumeMount, string) {
	var best *corev1.VolumeMount
	for i := range c.container.VolumeMounts {
		m := &c.container.VolumeMounts[i]
		if strings.HasPrefix(file, strings.TrimSuffix(m.MountPath, "/")+"/") &&
			(best == nil || len(m.MountPath) > len(best.MountPath)) {
			best = m
		}
	}
	if best == nil {
		return nil, ""
	}
	return best, strings.TrimPrefix(file, strings.TrimSuffix(best.MountPath, "/")+"/")
}

func (c *checker) volume(name string) *corev1.Volume {
	for i := range c.template.Spec.Volumes {
		if c.template.Spec.Volumes[i].Name == name {
			return &c.template.Spec.Volumes[i]
		}
	}
	return nil
}

// loadProcessorConfig follows `--config PATH` to its volume mount and ConfigMap key.
func (c *checker) loadProcessorConfig() *processorConfig {
	if len(c.container.Args) < 3 {
		return nil
	}
	file := c.container.Args[2]
	mount, key := c.mountFor(file)
	if mount == nil {
		c.failf("config %s: no volumeMount holds it", file)
		return nil
	}
	v := c.volume(mount.Name)
	if v == nil || v.ConfigMap == nil {
		c.failf("config %s: volume %s is not a ConfigMap", file, mount.Name)
		return nil
	}
	for _, cm := range objectsOf[corev1.ConfigMap](c) {
		if cm.Name != v.ConfigMap.Name {
			continue
		}
		text, ok := cm.Data[key]
		if !ok {
			c.failf("config %s: ConfigMap %s has no key %q", file, cm.Name, key)
			return nil
		}
		var tree map[string]any
		if err := yaml.UnmarshalStrict([]byte(text), &tree); err != nil {
			c.failf("config %s (ConfigMap %s): %v", file, cm.Name, err)
			return nil
		}
		return &processorConfig{text: []byte(text), tree: tree}
	}
	c.failf("config %s: ConfigMap %s is not in the manifests", file, v.ConfigMap.Name)
	return nil
}

func (c *checker) checkProcessorConfig() {
	p := c.proc
	listen := p.str("http", "listen", "0.0.0.0:9464")
	if i := strings.LastIndex(listen, ":"); i < 0 || listen[i+1:] != strconv.Itoa(int(c.httpPort())) {
		c.failf("config http.listen %q does not listen on the container's %s port %d",
			listen, kHTTPPortName, c.httpPort())
	}
	stateDir := p.str("state", "dir", "")
	stateMounted := false
	for _, m := range c.container.VolumeMounts {
		stateMounted = stateMounted || (m.Name == kStateVolume && path.Clean(m.MountPath) == path.Clean(stateDir))
	}
	if !stateMounted {
		c.failf("config state.dir %q is not where volumeClaimTemplate %s is mounted", stateDir, kStateVolume)
	}
	commit, err := parseDuration(p.str("kafka", "commit_interval", "100ms"))
	grace := c.template.Spec.TerminationGracePeriodSeconds
	if err != nil {
		c.failf("config kafka.commit_interval: %v", err)
	} else if grace != nil && time.Duration(*grace)*time.Second <= commit+kDrainMarginSec*time.Second {
		c.failf("terminationGracePeriodSeconds %d is not longer than the drain time (commit_interval %v + %d s)",
			*grace, commit, kDrainMarginSec)
	}
	if strings.Contains(p.str("kafka", "bootstrap_servers", ""), "${") {
		c.failf("config kafka.bootstrap_servers: ${...} is expanded only in properties, bearer_token and advertised_address")
	}
	c.checkConfigValues(p, p.str("http", "bearer_token", ""), p.str("http", "advertised_address", ""))
	c.config.check(c, p)
}

// checkConfigValues: every ${ENV} in the librdkafka properties and `extra` values is set by the
// container, and every absolute path among them is mounted.
func (c *checker) checkConfigValues(p *processorConfig, extra ...string) {
	env := map[string]bool{}
	for _, e := range c.container.Env {
		env[e.Name] = true
	}
	values := extra
	for name := range passThrough {
		if props, ok := p.section("kafka")[name].(map[string]any); ok {
			for _, v := range props {
				values = append(values, fmt.Sprint(v))
			}
		}
	}
	for _, v := range values {
		for _, m := range envRef.FindAllStringSubmatch(v, -1) {
			if !env[m[1]] {
				c.failf("config uses ${%s} but the container does not set %s", m[1], m[1])
			}
		}
		if path.IsAbs(v) {
			c.checkMountedFile(v)
		}
	}
}

// checkMountedFile: a file the config names (a CA, a key) is provided by a mounted volume.
func (c *checker) checkMountedFile(file string) {
	mount, rel := c.mountFor(file)
	if mount == nil {
		c.failf("config names %s but no volume is mounted there", file)
		return
	}
	v := c.volume(mount.Name)
	if v == nil || v.Secret == nil || len(v.Secret.Items) == 0 {
		return
	}
	for _, item := range v.Secret.Items {
		if item.Path == rel {
			return
		}
	}
	c.failf("config names %s but Secret volume %s has no item with path %q", file, mount.Name, rel)
}

// parseDuration reads the processor's duration syntax: 500ms, 20s, 5m, 72h, 7d.
func parseDuration(s string) (time.Duration, error) {
	if strings.HasSuffix(s, "d") {
		n, err := strconv.Atoi(strings.TrimSuffix(s, "d"))
		return time.Duration(n) * 24 * time.Hour, err
	}
	return time.ParseDuration(s)
}

// configChecker validates a processor config: with the real binary (`cxpulse run --config F
// --dry-run`) when it supports that, else statically against the keys runtime/ reads.
type configChecker struct {
	binary string
	keys   map[string]bool
}

var readKey = regexp.MustCompile(`\.(?:Get|GetStringMap|Sections?)\("([A-Za-z0-9_.]+)"`)

func newConfigChecker(root, binary string) (*configChecker, string) {
	if binary != "" {
		out, _ := exec.Command(binary, "run", "--help").CombinedOutput()
		if strings.Contains(string(out), "--dry-run") {
			return &configChecker{binary: binary}, binary + " run --dry-run"
		}
	}
	keys := map[string]bool{}
	for _, f := range []string{"runtime/config/config.cpp", "runtime/config/rules_config_yaml.cpp",
		"runtime/config/outreach_config_yaml.cpp"} {
		src, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			continue
		}
		for _, m := range readKey.FindAllStringSubmatch(string(src), -1) {
			keys[m[1]] = true
		}
	}
	why := "no binary given"
	if binary != "" {
		why = binary + " has no run --dry-run"
	}
	return &configChecker{keys: keys}, fmt.Sprintf(
		"static, keys read by runtime/config/config.cpp, rules_config_yaml.cpp and outreach_config_yaml.cpp (%d keys; %s)", len(keys), why)
}

func (cc *configChecker) check(c *checker, p *processorConfig) { cc.checkAs(c, p, "run") }

// checkAs validates p as the config of `cxpulse COMMAND --config F --dry-run` (run, outreach).
func (cc *configChecker) checkAs(c *checker, p *processorConfig, command string) {
	if cc.binary == "" {
		var unknown []string
		walkKeys(p.tree, "", func(key, at string) {
			if !cc.keys[key] {
				unknown = append(unknown, at)
			}
		})
		sort.Strings(unknown)
		for _, k := range unknown {
			c.failf("config key %s is not read by the processor", k)
		}
		return
	}
	dir, err := os.MkdirTemp("", "k8s-validate")
	if err != nil {
		c.failf("dry-run: %v", err)
		return
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "cxpulse.yaml")
	if err := os.WriteFile(file, p.text, 0o600); err != nil {
		c.failf("dry-run: %v", err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, cc.binary, command, "--config", file, "--dry-run")
	cmd.Env = podEnvironment(c.container)
	out, err := cmd.CombinedOutput()
	if err != nil {
		c.failf("cxpulse %s --dry-run rejects the ConfigMap's config: %s (%v)",
			command, strings.TrimSpace(string(out)), err)
	}
}

// podEnvironment is the container's environment with placeholders for values Kubernetes fills
// in (pod name, Secret keys), over a minimal PATH.
func podEnvironment(ct *corev1.Container) []string {
	env := []string{"PATH=/usr/local/bin:/usr/bin:/bin"}
	for _, e := range ct.Env {
		value := e.Value
		if e.ValueFrom != nil {
			switch {
			case e.ValueFrom.FieldRef != nil:
				value = "cxpulse-0"
			case e.ValueFrom.SecretKeyRef != nil:
				value = "placeholder-" + e.ValueFrom.SecretKeyRef.Key
			default:
				value = "placeholder"
			}
		}
		env = append(env, e.Name+"="+value)
	}
	return env
}

func walkKeys(node any, at string, visit func(key, at string)) {
	m, ok := node.(map[string]any)
	if !ok {
		return
	}
	for k, v := range m {
		full := strings.TrimPrefix(at+"."+k, ".")
		visit(k, full)
		if !passThrough[k] {
			walkKeys(v, full, visit)
		}
	}
}
