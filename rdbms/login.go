package rdbms

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"datax/plugin"
	"datax/spec"
)

// Login holds the connection parameters every MySQL-family plugin declares
// (embed it in the plugin's parameter struct): credentials, session
// statements, TLS and the connect time-out.
type Login struct {
	Username       string        `json:"username" required:"true" doc:"user name"`
	Password       spec.Secret   `json:"password" doc:"password; never printed. Use ${VAR} to take it from the environment, or ${file:/path}"`
	Session        []string      `json:"session" doc:"SQL statements run on every connection right after it opens, e.g. SET SESSION sql_mode = ''"`
	TLS            *TLS          `json:"tls" doc:"TLS to the server; overrides the jdbcUrl's useSSL / sslMode"`
	ConnectTimeout spec.Duration `json:"connectTimeout" default:"\"10s\"" doc:"longest wait for each address to answer (a jdbcUrl's connectTimeout takes precedence)"`
}

// TLS configures encryption to the server.
type TLS struct {
	Mode       string `json:"mode" default:"verify-identity" enum:"disabled,preferred,required,verify-ca,verify-identity" doc:"disabled: plain; preferred: TLS when the server offers it, unverified; required: TLS, certificate not verified; verify-ca: certificate signed by ca; verify-identity: and issued for the host"`
	CA         string `json:"ca" doc:"PEM file of the CA certificate(s) for verify-ca and verify-identity (default: the system's)"`
	Cert       string `json:"cert" doc:"PEM file of a client certificate (with key)"`
	Key        string `json:"key" doc:"PEM file of the client certificate's key"`
	ServerName string `json:"serverName" doc:"host name the certificate must name (verify-identity; default: the jdbcUrl's host)"`
}

// Validate checks that a client certificate comes with its key.
func (t *TLS) Validate() error {
	if (t.Cert == "") != (t.Key == "") {
		return spec.Errorf("key", "cert and key go together")
	}
	return nil
}

// Options turns the login into connection options. Loading TLS files is
// I/O, so plugins call it when they connect, not when they are built.
func (l *Login) Options(log *slog.Logger) (Options, error) {
	o := Options{
		User:           l.Username,
		Password:       l.Password.Reveal(),
		Session:        l.Session,
		ConnectTimeout: l.ConnectTimeout.Duration,
		Log:            log,
	}
	t := l.TLS
	if t == nil {
		return o, nil
	}
	var cfg *tls.Config
	switch t.Mode {
	case "disabled":
		return o, nil
	case "preferred":
		cfg, o.AllowPlaintext = &tls.Config{InsecureSkipVerify: true}, true
	case "required":
		cfg = &tls.Config{InsecureSkipVerify: true}
	case "verify-ca", "verify-identity":
		cfg = &tls.Config{ServerName: t.ServerName}
	}
	if t.CA != "" {
		pem, err := os.ReadFile(t.CA)
		if err != nil {
			return o, plugin.Permanent(fmt.Errorf("tls.ca: %w", err))
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return o, plugin.Permanent(fmt.Errorf("tls.ca: %s holds no PEM certificate", t.CA))
		}
		cfg.RootCAs = pool
	}
	if t.Mode == "verify-ca" {
		// Check the chain but not the host name.
		cfg.InsecureSkipVerify = true
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("the server sent no certificate")
			}
			opts := x509.VerifyOptions{Roots: cfg.RootCAs, Intermediates: x509.NewCertPool()}
			for _, c := range cs.PeerCertificates[1:] {
				opts.Intermediates.AddCert(c)
			}
			_, err := cs.PeerCertificates[0].Verify(opts)
			return err
		}
	}
	if t.Cert != "" {
		pair, err := tls.LoadX509KeyPair(t.Cert, t.Key)
		if err != nil {
			return o, plugin.Permanent(fmt.Errorf("tls.cert/tls.key: %w", err))
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	o.TLS = cfg
	return o, nil
}
