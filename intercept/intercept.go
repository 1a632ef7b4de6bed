// Package intercept lets clients reach Dayu with no endpoint configured:
// Dayu answers as an HTTPS proxy (HTTPS_PROXY=http://dayu:8080) for Huawei
// Cloud's host names only, completes TLS with a certificate for the host
// asked for, issued by Dayu's own certificate authority, and serves the
// decrypted requests as if they had come to its own port. A CONNECT to any
// other host is refused: nothing is ever passed through to the internet.
package intercept

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/dayu-emu/dayu"
)

// DefaultCloud is the domain of Huawei Cloud's public endpoints
// (dataarts.{region}.myhuaweicloud.com, bss.myhuaweicloud.com, ...).
const DefaultCloud = "myhuaweicloud.com"

// caDocument is the store's name of the CA: one per store, so that a
// restart and every node keep the trust clients were given.
const caDocument = "intercept-ca"

// CA is Dayu's certificate authority: it issues a certificate for each
// host a client connects to.
type CA struct {
	cert   *x509.Certificate
	key    *ecdsa.PrivateKey
	pem    []byte
	leaves sync.Map // host -> *tls.Certificate
}

// storedCA is the CA as stored: PEM of the certificate and of the key.
type storedCA struct {
	Cert string `json:"cert"`
	Key  string `json:"key"`
}

// LoadCA returns the store's CA, made (once, however many nodes race) on
// first use. The key stays in the store and in memory; only the
// certificate is ever served.
func LoadCA(ctx context.Context, s dayu.Store) (*CA, error) {
	fresh, err := newCA()
	if err != nil {
		return nil, err
	}
	doc, err := s.EnsureDocument(ctx, caDocument, fresh)
	if err != nil {
		return nil, err
	}
	var st storedCA
	if err := json.Unmarshal(doc, &st); err != nil {
		return nil, fmt.Errorf("intercept: stored CA: %w", err)
	}
	pair, err := tls.X509KeyPair([]byte(st.Cert), []byte(st.Key))
	if err != nil {
		return nil, fmt.Errorf("intercept: stored CA: %w", err)
	}
	cert, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return nil, fmt.Errorf("intercept: stored CA: %w", err)
	}
	key, ok := pair.PrivateKey.(*ecdsa.PrivateKey)
	if !ok {
		return nil, errors.New("intercept: stored CA: the key is not ECDSA")
	}
	return &CA{cert: cert, key: key, pem: []byte(st.Cert)}, nil
}

// newCA makes a CA, as the document to store.
func newCA() ([]byte, error) {
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{CommonName: "Dayu intercepting CA", Organization: []string{"Dayu"}},
		NotAfter:              time.Now().AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, key, err := issue(tmpl, nil, nil)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, err
	}
	return json.Marshal(storedCA{
		Cert: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		Key:  string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})),
	})
}

// issue makes a key and the certificate of tmpl for it, signed by parent
// with parentKey, or self-signed when parent is nil. It is valid from an
// hour ago, so that a client's clock a little behind still accepts it.
func issue(tmpl, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) ([]byte, *ecdsa.PrivateKey, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return nil, nil, err
	}
	tmpl.SerialNumber, tmpl.NotBefore = serial, time.Now().Add(-time.Hour)
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	return der, key, err
}

// PEM is the CA's certificate, for clients to trust (SSL_CERT_FILE).
func (ca *CA) PEM() []byte { return ca.pem }

// leaf returns the certificate of host, issued once and kept.
func (ca *CA) leaf(host string) (*tls.Certificate, error) {
	if c, ok := ca.leaves.Load(host); ok {
		return c.(*tls.Certificate), nil
	}
	der, key, err := issue(&x509.Certificate{
		Subject:     pkix.Name{CommonName: host},
		DNSNames:    []string{host},
		NotAfter:    time.Now().AddDate(1, 0, 0),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}, ca.cert, ca.key)
	if err != nil {
		return nil, err
	}
	c := &tls.Certificate{Certificate: [][]byte{der, ca.cert.Raw}, PrivateKey: key}
	actual, _ := ca.leaves.LoadOrStore(host, c)
	return actual.(*tls.Certificate), nil
}

// Proxy answers CONNECT for the clouds' host names and serves what comes
// through the tunnel with Handler.
type Proxy struct {
	CA *CA
	// Clouds are the domains whose hosts are intercepted: DefaultCloud,
	// and the one a user gives the provider as cloud / HW_CLOUD.
	Clouds []string
	// Handler serves the decrypted requests: Dayu's own.
	Handler http.Handler
	// Timeouts of the tunnels' HTTP servers.
	ReadHeaderTimeout, IdleTimeout time.Duration
}

// Intercepts reports whether a CONNECT to host (with or without a port) is
// Dayu's to answer: a host of one of the clouds, on port 443.
func (p *Proxy) Intercepts(hostport string) (host string, ok bool) {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = hostport, "443"
	}
	if port != "443" {
		return host, false
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	for _, c := range p.Clouds {
		if c != "" && (host == c || strings.HasSuffix(host, "."+c)) {
			return host, true
		}
	}
	return host, false
}

// Wrap returns next with CONNECT answered by the proxy: every other
// request goes to next as before.
func (p *Proxy) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			next.ServeHTTP(w, r)
			return
		}
		host, ok := p.Intercepts(r.Host)
		if !ok {
			http.Error(w, fmt.Sprintf("Dayu intercepts only Huawei Cloud's hosts (*.%s) on port 443, not %s: nothing is passed through to the internet", strings.Join(p.Clouds, ", *."), r.Host), http.StatusForbidden)
			return
		}
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			http.Error(w, "CONNECT needs HTTP/1.1", http.StatusHTTPVersionNotSupported)
			return
		}
		if _, err := conn.Write([]byte("HTTP/1.1 200 Connection Established\r\n\r\n")); err != nil {
			conn.Close()
			return
		}
		_ = conn.SetDeadline(time.Time{})
		tlsConn := tls.Server(&prefixConn{Conn: conn, r: buf.Reader}, &tls.Config{
			MinVersion: tls.VersionTLS12,
			NextProtos: []string{"http/1.1"},
			GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
				name := hello.ServerName
				if name == "" {
					name = host
				}
				if _, ok := p.Intercepts(name); !ok {
					return nil, fmt.Errorf("intercept: SNI %q is not a cloud host", name)
				}
				return p.CA.leaf(strings.ToLower(name))
			},
		})
		hs := &http.Server{Handler: p.Handler, ReadHeaderTimeout: p.ReadHeaderTimeout, IdleTimeout: p.IdleTimeout}
		_ = hs.Serve(&oneConn{conn: tlsConn})
	})
}

// prefixConn reads first what the proxy's reader buffered past the CONNECT.
type prefixConn struct {
	net.Conn
	r interface {
		Buffered() int
		Read([]byte) (int, error)
	}
}

func (c *prefixConn) Read(b []byte) (int, error) {
	if c.r != nil && c.r.Buffered() > 0 {
		return c.r.Read(b)
	}
	return c.Conn.Read(b)
}

// oneConn is a listener of one connection: the tunnel. Accept hands it out
// once, then waits until the connection is closed, so that Serve returns
// when the tunnel ends.
type oneConn struct {
	conn net.Conn
	once sync.Once
	done chan struct{}
	mu   sync.Mutex
}

func (l *oneConn) Accept() (net.Conn, error) {
	l.mu.Lock()
	if l.done == nil {
		l.done = make(chan struct{})
		l.mu.Unlock()
		return &closeNotify{Conn: l.conn, closed: l.close}, nil
	}
	done := l.done
	l.mu.Unlock()
	<-done
	return nil, net.ErrClosed
}

func (l *oneConn) close() { l.once.Do(func() { close(l.done) }) }

func (l *oneConn) Close() error {
	l.mu.Lock()
	if l.done == nil {
		l.done = make(chan struct{})
	}
	l.mu.Unlock()
	l.close()
	return nil
}

func (l *oneConn) Addr() net.Addr { return l.conn.LocalAddr() }

// closeNotify tells the listener when the server closes the tunnel.
type closeNotify struct {
	net.Conn
	closed func()
}

func (c *closeNotify) Close() error {
	err := c.Conn.Close()
	c.closed()
	return err
}
