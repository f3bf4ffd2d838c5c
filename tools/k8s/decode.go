package main

import (
	"fmt"
	"reflect"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// object is one built resource, decoded into its typed struct.
type object struct {
	kind  string // apiVersion/kind, e.g. "apps/v1/StatefulSet"
	name  string
	typed any // pointer to the k8s.io/api (or monitoring/v1) struct
}

// newTyped maps every apiVersion/kind the manifests may use to a fresh typed struct. Anything
// else is an error: a typo in apiVersion or kind must not pass unvalidated.
var newTyped = map[string]func() any{
	"v1/Namespace":                            func() any { return &corev1.Namespace{} },
	"v1/ServiceAccount":                       func() any { return &corev1.ServiceAccount{} },
	"v1/Service":                              func() any { return &corev1.Service{} },
	"v1/ConfigMap":                            func() any { return &corev1.ConfigMap{} },
	"v1/Secret":                               func() any { return &corev1.Secret{} },
	"apps/v1/StatefulSet":                     func() any { return &appsv1.StatefulSet{} },
	"apps/v1/Deployment":                      func() any { return &appsv1.Deployment{} },
	"networking.k8s.io/v1/Ingress":            func() any { return &networkingv1.Ingress{} },
	"policy/v1/PodDisruptionBudget":           func() any { return &policyv1.PodDisruptionBudget{} },
	"networking.k8s.io/v1/NetworkPolicy":      func() any { return &networkingv1.NetworkPolicy{} },
	"monitoring.coreos.com/v1/ServiceMonitor": func() any { return &monitoringv1.ServiceMonitor{} },
	"monitoring.coreos.com/v1/PrometheusRule": func() any { return &monitoringv1.PrometheusRule{} },
}

// buildYAML runs `kustomize build dir` in-process and returns the multi-document YAML.
func buildYAML(dir string) ([]byte, error) {
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	resources, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, err
	}
	return resources.AsYaml()
}

// buildAndDecode runs `kustomize build dir` in-process and strictly decodes every object.
func buildAndDecode(dir string) ([]object, error) {
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	resources, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		return nil, fmt.Errorf("kustomize build: %v", err)
	}
	var objs []object
	var errs []string
	for _, r := range resources.Resources() {
		doc, err := r.AsYAML()
		if err != nil {
			return nil, err
		}
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		if err := yaml.Unmarshal(doc, &head); err != nil {
			return nil, err
		}
		kind := head.APIVersion + "/" + head.Kind
		o, err := decodeStrict(kind, doc)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s %s: %v", kind, r.GetName(), err))
			continue
		}
		objs = append(objs, o)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("schema: %s", strings.Join(errs, "; "))
	}
	return objs, nil
}

// decodeStrict decodes doc into the struct for kind, rejecting unknown and duplicate fields and
// values of the wrong type, then checks the object's metadata.
func decodeStrict(kind string, doc []byte) (object, error) {
	newObject, ok := newTyped[kind]
	if !ok {
		return object{}, fmt.Errorf("no schema known for %s", kind)
	}
	typed := newObject()
	if err := yaml.UnmarshalStrict(doc, typed); err != nil {
		return object{}, err
	}
	meta, ok := typed.(metav1.Object)
	if !ok {
		return object{}, fmt.Errorf("%s has no object metadata", kind)
	}
	name, labels := meta.GetName(), meta.GetLabels()
	if msgs := validation.IsDNS1123Subdomain(name); len(msgs) > 0 {
		return object{}, fmt.Errorf("metadata.name %q: %s", name, strings.Join(msgs, ", "))
	}
	if err := checkLabels("metadata.labels", labels); err != nil {
		return object{}, err
	}
	return object{kind: kind, name: name, typed: typed}, nil
}

func checkLabels(where string, labels map[string]string) error {
	for k, v := range labels {
		if msgs := validation.IsQualifiedName(k); len(msgs) > 0 {
			return fmt.Errorf("%s key %q: %s", where, k, strings.Join(msgs, ", "))
		}
		if msgs := validation.IsValidLabelValue(v); len(msgs) > 0 {
			return fmt.Errorf("%s %s=%q: %s", where, k, v, strings.Join(msgs, ", "))
		}
	}
	return nil
}

// equalYAML compares two decoded YAML trees.
func equalYAML(a, b any) bool { return reflect.DeepEqual(a, b) }
