package registry

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"

	"github.com/google/go-containerregistry/pkg/authn"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// smallBlob is the size under which PutBlob uploads without asking first:
// a HEAD costs as much as sending a few KB. Larger blobs (the shared probe
// object) are uploaded only when the registry lacks them.
const smallBlob = 16 << 10

// uploader sends blobs in one request (POST …/blobs/uploads/?digest=, the
// distribution spec's monolithic upload), falling back to POST then PUT when
// the registry opens a session instead. go-containerregistry's upload takes
// three requests (HEAD, POST, PUT) per blob.
type uploader struct {
	once   sync.Once
	client *http.Client
	err    error
	seen   sync.Map // digest → struct{}: uploaded by this process
	// twoStep is set once the registry answered a monolithic POST with an
	// upload session (distribution 2.8 does): later uploads then POST an
	// empty body and PUT the data, instead of sending it twice.
	twoStep atomic.Bool
}

func (r *Remote) httpClient(ctx context.Context) (*http.Client, error) {
	u := &r.up
	u.once.Do(func() {
		auth, err := r.keychain.Resolve(r.repo.Registry)
		if err != nil {
			u.err = err
			return
		}
		if auth == nil {
			auth = authn.Anonymous
		}
		rt, err := transport.NewWithContext(ctx, r.repo.Registry, auth, r.transport, []string{r.repo.Scope(transport.PushScope)})
		if err != nil {
			u.err = fmt.Errorf("authenticate to %s: %w", r.repo.Registry, err)
			return
		}
		u.client = &http.Client{Transport: rt}
	})
	return u.client, u.err
}

// upload implements PutBlob.
func (r *Remote) upload(ctx context.Context, data []byte) (v1.Hash, error) {
	h := NewManifest("", data).Digest
	if _, ok := r.up.seen.Load(h); ok {
		return h, nil
	}
	if len(data) > smallBlob {
		if ok, err := r.HasBlob(ctx, h); err == nil && ok {
			r.up.seen.Store(h, struct{}{})
			return h, nil
		}
	}
	c, err := r.httpClient(ctx)
	if err != nil {
		return h, err
	}
	loc, done, err := r.post(ctx, c, h, data)
	if err == nil && !done {
		err = r.put(ctx, c, loc, h, data)
	}
	if err != nil {
		return h, fmt.Errorf("upload blob %s: %w", h, err)
	}
	r.up.seen.Store(h, struct{}{})
	return h, nil
}

func (r *Remote) blobURL(p string, q url.Values) string {
	u := url.URL{Scheme: r.repo.Scheme(), Host: r.repo.RegistryStr(), Path: p, RawQuery: q.Encode()}
	return u.String()
}

// post tries the monolithic upload; done is false when the registry opened
// an upload session at loc instead.
func (r *Remote) post(ctx context.Context, c *http.Client, h v1.Hash, data []byte) (string, bool, error) {
	q := url.Values{"digest": {h.String()}}
	if r.up.twoStep.Load() {
		q, data = nil, nil
	}
	u := r.blobURL("/v2/"+r.repo.RepositoryStr()+"/blobs/uploads/", q)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(data))
	if err != nil {
		return "", false, err
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := c.Do(req)
	if err != nil {
		return "", false, err
	}
	defer drain(resp)
	switch resp.StatusCode {
	case http.StatusCreated:
		return "", true, nil
	case http.StatusAccepted:
		r.up.twoStep.Store(true)
		loc, err := resp.Location()
		if err != nil {
			return "", false, err
		}
		return loc.String(), false, nil
	}
	return "", false, classify(transport.CheckError(resp, http.StatusCreated))
}

func (r *Remote) put(ctx context.Context, c *http.Client, loc string, h v1.Hash, data []byte) error {
	u, err := url.Parse(loc)
	if err != nil {
		return err
	}
	q := u.Query()
	q.Set("digest", h.String())
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u.String(), bytes.NewReader(data))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer drain(resp)
	return classify(transport.CheckError(resp, http.StatusCreated))
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}
