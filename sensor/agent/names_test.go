package agent

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/probehub/probehub/internal/testutil"
	"github.com/probehub/probehub/sensor/event"
	"github.com/probehub/probehub/sensor/output"
)

// clusterResolver answers as a cluster's DNS does for the API server.
type clusterResolver struct{ fail bool }

func (r clusterResolver) LookupHost(_ context.Context, host string) ([]string, error) {
	if r.fail {
		return nil, errors.New("dns down")
	}
	if host == "kubernetes.default.svc.cluster.local" {
		return []string{"10.96.0.1"}, nil
	}
	return nil, errors.New("no such host")
}

// TestResolveNamesAPIServer: the stable rule "Contact K8S API Server From
// Container" compares fd.sip.name with kubernetes.default.svc.cluster.local;
// the agent resolves it with the configured resolver (ResolveNames, which
// `run` calls before capturing) and a container's connect to the address
// it resolved to raises the rule.
func TestResolveNamesAPIServer(t *testing.T) {
	sink := &memSink{}
	r, err := output.NewRouter(map[string]output.Sink{"m": sink}, output.RouterConfig{Default: []string{"m"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.Start(ctx)
	defer r.Close()
	meta := pods{cid: {Name: "app", PodName: "app-0", Namespace: "default", Image: "alpine:3.20", ImageRepo: "alpine"}}
	for _, fail := range []bool{true, false} {
		ag, err := New(Config{Rules: RulesConfig{Paths: []string{testutil.SharedData(t, "falco_rules.yaml")},
			Resolver: clusterResolver{fail: fail}}, Router: r, Containers: meta})
		if err != nil {
			t.Fatal(err)
		}
		err = ag.ResolveNames(ctx)
		if fail != (err != nil) {
			t.Fatalf("resolver failing %v: ResolveNames = %v", fail, err)
		}
		if fail {
			continue
		}
		ag.HandleSyscall(&event.Event{Time: time.Now(), Type: event.TypeConnect,
			Proc: event.Process{PID: 77, TID: 77, PPID: 1, Comm: "curl",
				Cgroup: "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod11111111_2222_3333_4444_555555555555.slice/cri-containerd-" + cid + ".scope"},
			Args: event.Args{{Name: "fd", Int: 3}},
			FD:   &event.FD{Num: 3, Type: '4', L4Proto: "tcp", Name: "10.244.0.5:41000->10.96.0.1:443", CIP: "10.244.0.5", CPort: 41000, SIP: "10.96.0.1", SPort: 443, Connected: true}})
		if a, ok := sink.wait(t, "Contact K8S API Server From Container", "rport=443"); !ok {
			t.Errorf("no alert; alerts: %v", sink.rulesSeen())
		} else if a.OutputFields["container.id"] != cid[:12] {
			t.Errorf("container.id = %v", a.OutputFields["container.id"])
		}
	}
}
