package main

import (
	"fmt"
	"path"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
)

// What the processor serves (SPEC §6, runtime/config/kafka_config.h) and expects of its pod.
const (
	kContainer      = "cxpulse"
	kHTTPPortName   = "http"
	kHealthPath     = "/healthz"
	kReadyPath      = "/readyz"
	kMetricsPath    = "/metrics"
	kInstanceEnv    = "CXPULSE_INSTANCE_ID"
	kStateVolume    = "state"
	kDrainMarginSec = 5 // SIGTERM: exits within commit_interval + 5 s
)

// checker holds one built overlay and collects its problems.
type checker struct {
	overlay  string
	root     string
	objs     []object
	config   *configChecker
	problems []string

	sts       *appsv1.StatefulSet
	template  *corev1.PodTemplateSpec // the pod of the workload under check (sts or outreach)
	container *corev1.Container
	proc      *processorConfig
}

func (c *checker) failf(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

func objectsOf[T any](c *checker) []*T {
	var out []*T
	for _, o := range c.objs {
		if t, ok := o.typed.(*T); ok {
			out = append(out, t)
		}
	}
	return out
}

func (c *checker) run() {
	if secrets := objectsOf[corev1.Secret](c); len(secrets) > 0 {
		c.failf("Secret %s is in the manifests: credentials are created out of band, never committed",
			secrets[0].Name)
	}
	sets := objectsOf[appsv1.StatefulSet](c)
	if len(sets) != 1 {
		c.failf("expected exactly one StatefulSet, found %d", len(sets))
		return
	}
	c.sts = sets[0]
	c.template = &c.sts.Spec.Template
	c.container = findContainer(c.template)
	if c.container == nil {
		c.failf("StatefulSet %s has no container named %q", c.sts.Name, kContainer)
		return
	}
	c.checkStatefulSet()
	c.checkPodSecurity()
	c.checkContainer()
	c.checkProbes()
	c.proc = c.loadProcessorConfig()
	if c.proc != nil {
		c.checkProcessorConfig()
	}
	c.checkServices()
	c.checkServiceMonitor()
	c.checkPrometheusRule()
	c.checkDisruptionBudget()
	c.checkNetworkPolicy()
	c.checkSecretsDocumented()
	c.checkNamespace()
	if c.overlay == "prod" {
		c.checkProd()
	}
	c.checkOutreach()
}

// findContainer is the pod's container named kContainer, or nil.
func findContainer(t *corev1.PodTemplateSpec) *corev1.Container {
	for i := range t.Spec.Containers {
		if t.Spec.Containers[i].Name == kContainer {
			return &t.Spec.Containers[i]
		}
	}
	return nil
}

func (c *checker) podLabels() labels.Set { return c.sts.Spec.Template.Labels }

func (c *checker) checkStatefulSet() {
	s := c.sts.Spec
	if s.Selector == nil || len(s.Selector.MatchLabels) == 0 {
		c.failf("StatefulSet: spec.selector.matchLabels is empty")
	} else if !labels.SelectorFromSet(s.Selector.MatchLabels).Matches(c.podLabels()) {
		c.failf("StatefulSet: selector %v does not match the pod template labels", s.Selector.MatchLabels)
	}
	if err := checkLabels("pod template labels", c.podLabels()); err != nil {
		c.failf("StatefulSet: %v", err)
	}
	if s.Replicas == nil || *s.Replicas < 1 {
		c.failf("StatefulSet: spec.replicas must be set and at least 1")
	}
	if s.UpdateStrategy.Type != appsv1.RollingUpdateStatefulSetStrategyType {
		c.failf("StatefulSet: updateStrategy.type must be RollingUpdate (ordered, one pod at a time)")
	}
	if s.PodManagementPolicy != "" && s.PodManagementPolicy != appsv1.ParallelPodManagement &&
		s.PodManagementPolicy != appsv1.OrderedReadyPodManagement {
		c.failf("StatefulSet: unknown podManagementPolicy %q", s.PodManagementPolicy)
	}
	var state *corev1.PersistentVolumeClaim
	for i := range s.VolumeClaimTemplates {
		if s.VolumeClaimTemplates[i].Name == kStateVolume {
			state = &s.VolumeClaimTemplates[i]
		}
	}
	if state == nil {
		c.failf("StatefulSet: no volumeClaimTemplate %q (one RocksDB volume per pod)", kStateVolume)
	} else {
		if len(state.Spec.AccessModes) != 1 || state.Spec.AccessModes[0] != corev1.ReadWriteOnce {
			c.failf("StatefulSet: volumeClaimTemplate %s must be ReadWriteOnce", kStateVolume)
		}
		if q, ok := state.Spec.Resources.Requests[corev1.ResourceStorage]; !ok || q.IsZero() {
			c.failf("StatefulSet: volumeClaimTemplate %s requests no storage", kStateVolume)
		}
	}
	volumes := map[string]bool{}
	for _, v := range c.template.Spec.Volumes {
		if volumes[v.Name] {
			c.failf("StatefulSet: volume %s is declared twice", v.Name)
		}
		volumes[v.Name] = true
		if msgs := validation.IsDNS1123Label(v.Name); len(msgs) > 0 {
			c.failf("StatefulSet: volume name %q: %s", v.Name, strings.Join(msgs, ", "))
		}
	}
	if state != nil {
		volumes[state.Name] = true
	}
	for _, m := range c.container.VolumeMounts {
		if !volumes[m.Name] {
			c.failf("container: volumeMount %s names no volume or volumeClaimTemplate", m.Name)
		}
		if !path.IsAbs(m.MountPath) {
			c.failf("container: mountPath %q is not absolute", m.MountPath)
		}
	}
}

// checkPodSecurity applies the "restricted" Pod Security Standard to the pod and container.
func (c *checker) checkPodSecurity() {
	pod := c.template.Spec
	if pod.HostNetwork || pod.HostPID || pod.HostIPC {
		c.failf("pod: hostNetwork/hostPID/hostIPC must be false")
	}
	psc := pod.SecurityContext
	if psc == nil {
		c.failf("pod: securityContext is missing")
		psc = &corev1.PodSecurityContext{}
	}
	if psc.SeccompProfile == nil || (psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault &&
		psc.SeccompProfile.Type != corev1.SeccompProfileTypeLocalhost) {
		c.failf("pod: securityContext.seccompProfile.type must be RuntimeDefault or Localhost")
	}
	for _, v := range pod.Volumes {
		src := v.VolumeSource
		if src.ConfigMap == nil && src.Secret == nil && src.EmptyDir == nil && src.Projected == nil &&
			src.DownwardAPI == nil && src.PersistentVolumeClaim == nil && src.Ephemeral == nil &&
			src.CSI == nil {
			c.failf("pod: volume %s has a type the restricted policy forbids", v.Name)
		}
	}
	all := append(append([]corev1.Container{}, pod.InitContainers...), pod.Containers...)
	for _, ct := range all {
		sc := ct.SecurityContext
		if sc == nil {
			c.failf("container %s: securityContext is missing", ct.Name)
			continue
		}
		if sc.Privileged != nil && *sc.Privileged {
			c.failf("container %s: privileged", ct.Name)
		}
		if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			c.failf("container %s: allowPrivilegeEscalation must be false", ct.Name)
		}
		if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
			c.failf("container %s: readOnlyRootFilesystem must be true", ct.Name)
		}
		nonRoot := (sc.RunAsNonRoot != nil && *sc.RunAsNonRoot) || (psc.RunAsNonRoot != nil && *psc.RunAsNonRoot)
		if !nonRoot {
			c.failf("container %s: runAsNonRoot must be true (pod or container)", ct.Name)
		}
		for _, uid := range []*int64{sc.RunAsUser, psc.RunAsUser} {
			if uid != nil && *uid == 0 {
				c.failf("container %s: runAsUser 0", ct.Name)
			}
		}
		dropsAll := false
		if sc.Capabilities != nil {
			for _, d := range sc.Capabilities.Drop {
				dropsAll = dropsAll || d == "ALL"
			}
			for _, a := range sc.Capabilities.Add {
				if a != "NET_BIND_SERVICE" {
					c.failf("container %s: adds capability %s", ct.Name, a)
				}
			}
		}
		if !dropsAll {
			c.failf("container %s: capabilities.drop must contain ALL", ct.Name)
		}
	}
}

func (c *checker) checkContainer() {
	ct := c.container
	if len(ct.Args) < 3 || ct.Args[0] != "run" || ct.Args[1] != "--config" || !path.IsAbs(ct.Args[2]) {
		c.failf("container: args must be [run, --config, /absolute/path.yaml], got %v", ct.Args)
	}
	instance := false
	for _, e := range ct.Env {
		if e.Name == kInstanceEnv {
			instance = e.ValueFrom != nil && e.ValueFrom.FieldRef != nil &&
				e.ValueFrom.FieldRef.FieldPath == "metadata.name"
		}
	}
	if !instance {
		c.failf("container: env %s must come from fieldRef metadata.name (static membership)", kInstanceEnv)
	}
	c.checkContainerBasics()
}

// checkContainerBasics: what every cxpulse container needs (processor and outreach): an image
// run through its entrypoint, valid ports with one named http, valid env names, requests and
// limits for CPU and memory, and a termination grace period.
func (c *checker) checkContainerBasics() {
	ct := c.container
	if ct.Image == "" {
		c.failf("container: image is empty")
	}
	if len(ct.Command) > 0 {
		c.failf("container: command overrides the image entrypoint; use args")
	}
	seen := map[string]bool{}
	for _, p := range ct.Ports {
		if msgs := validation.IsValidPortName(p.Name); len(msgs) > 0 {
			c.failf("container: port name %q: %s", p.Name, strings.Join(msgs, ", "))
		}
		if msgs := validation.IsValidPortNum(int(p.ContainerPort)); len(msgs) > 0 {
			c.failf("container: port %d: %s", p.ContainerPort, strings.Join(msgs, ", "))
		}
		if seen[p.Name] {
			c.failf("container: port name %s used twice", p.Name)
		}
		seen[p.Name] = true
	}
	if c.httpPort() == 0 {
		c.failf("container: no port named %q", kHTTPPortName)
	}
	for _, e := range ct.Env {
		if msgs := validation.IsEnvVarName(e.Name); len(msgs) > 0 {
			c.failf("container: env %q: %s", e.Name, strings.Join(msgs, ", "))
		}
	}
	for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, hasReq := ct.Resources.Requests[res]
		lim, hasLim := ct.Resources.Limits[res]
		if !hasReq || !hasLim {
			c.failf("container: resources.requests and limits must both set %s", res)
		} else if req.Cmp(lim) > 0 {
			c.failf("container: %s request %s exceeds its limit %s", res, req.String(), lim.String())
		}
	}
	grace := c.template.Spec.TerminationGracePeriodSeconds
	if grace == nil {
		c.failf("pod: terminationGracePeriodSeconds must be set (longer than the drain time)")
	}
}

// httpPort is the containerPort named "http", or 0.
func (c *checker) httpPort() int32 {
	for _, p := range c.container.Ports {
		if p.Name == kHTTPPortName {
			return p.ContainerPort
		}
	}
	return 0
}

// resolvesToHTTP tells whether a probe or Service target port names the container's http port.
func (c *checker) resolvesToHTTP(port intstr.IntOrString) bool {
	if port.Type == intstr.String {
		return port.StrVal == kHTTPPortName
	}
	return port.IntVal != 0 && port.IntVal == c.httpPort()
}

func (c *checker) checkProbes() {
	type want struct {
		name  string
		probe *corev1.Probe
		path  string
		must  bool
	}
	ct := c.container
	for _, w := range []want{
		{"livenessProbe", ct.LivenessProbe, kHealthPath, true},
		{"readinessProbe", ct.ReadinessProbe, kReadyPath, true},
		{"startupProbe", ct.StartupProbe, kHealthPath, false},
	} {
		if w.probe == nil {
			if w.must {
				c.failf("container: %s is missing", w.name)
			}
			continue
		}
		g := w.probe.HTTPGet
		if g == nil {
			c.failf("container: %s must be an httpGet", w.name)
			continue
		}
		if g.Path != w.path {
			c.failf("container: %s path %q, the processor serves it on %s", w.name, g.Path, w.path)
		}
		if !c.resolvesToHTTP(g.Port) {
			c.failf("container: %s port %s is not the container's %s port", w.name, g.Port.String(), kHTTPPortName)
		}
		if g.Scheme != "" && g.Scheme != corev1.URISchemeHTTP {
			c.failf("container: %s scheme %s; the processor serves plain HTTP", w.name, g.Scheme)
		}
	}
}
