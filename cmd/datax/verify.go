package main

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/spf13/cobra"

	"datax/storage"
	"datax/verify"
)

func newVerifyCmd() *cobra.Command {
	var opts storage.Options
	cmd := &cobra.Command{
		Use:   "verify PATH...",
		Short: "Check published partitions against their _VERIFY.json (rows, bytes, SHA-256 per file)",
		Long: `Check partitions written by datax against the verification file each carries
(_VERIFY.json): every data file listed, none added, same size and SHA-256 of the content.
PATH is a partition directory, or a table directory whose partitions below are all checked;
hdfs://host:port/... paths are read from HDFS.

Exit codes: 0 every partition matches; 1 a mismatch (each bad file is named); 2 bad usage
or a path without any verification file.`,
		Example: `  datax verify warehouse/quickstart/orders/dt=20261122
  datax verify hdfs://namenode:8020/warehouse/ods/orders`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			failed := 0
			for _, arg := range args {
				o := opts
				p := arg
				if strings.HasPrefix(arg, "hdfs://") {
					u, err := url.Parse(arg)
					if err != nil {
						return &exitError{exitInvalid, fmt.Errorf("%s: not a valid URL", arg)}
					}
					o.DefaultFS, p = "hdfs://"+u.Host, u.Path
				}
				fsys, err := storage.Open(o)
				if err != nil {
					return &exitError{exitInvalid, err}
				}
				p, err = storage.Clean(fsys, p)
				if err != nil {
					fsys.Close()
					return &exitError{exitInvalid, err}
				}
				dirs, err := manifestDirs(fsys, p)
				if err == nil && len(dirs) == 0 {
					err = fmt.Errorf("%s: no %s here or below: nothing to verify", storage.URL(fsys, p), verify.FileName)
				}
				if err != nil {
					fsys.Close()
					return &exitError{exitInvalid, err}
				}
				for _, d := range dirs {
					m, err := verify.Check(cmd.Context(), fsys, d)
					if err != nil {
						var ve *verify.Error
						if !errors.As(err, &ve) {
							fsys.Close()
							return &exitError{exitFailed, err}
						}
						failed++
						fmt.Fprintf(out, "FAIL %s\n", strings.ReplaceAll(err.Error(), "\n", "\n     "))
						continue
					}
					fmt.Fprintf(out, "OK   %s: %d files, %d rows, %d bytes\n", storage.URL(fsys, d), len(m.Files), m.Rows, m.Bytes)
				}
				fsys.Close()
			}
			if failed > 0 {
				return &exitError{exitFailed, fmt.Errorf("%d partition(s) do not match their %s", failed, verify.FileName)}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.DefaultFS, "defaultFS", "", "filesystem of PATH: hdfs://host:port (default: local disk, or the URL in PATH)")
	f.StringVar(&opts.User, "hdfs-user", "", "HDFS user (default $HADOOP_USER_NAME or the OS user)")
	return cmd
}

// manifestDirs returns dir if it holds a verification file, else every
// visible directory below it that does.
func manifestDirs(fsys storage.FS, dir string) ([]string, error) {
	if ok, err := storage.CheckDir(fsys, dir); err != nil || !ok {
		if err == nil {
			err = fmt.Errorf("%s does not exist", storage.URL(fsys, dir))
		}
		return nil, err
	}
	if ok, err := storage.Exists(fsys, path.Join(dir, verify.FileName)); err != nil || ok {
		return []string{dir}, err
	}
	entries, err := storage.Visible(fsys, dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		sub, err := manifestDirs(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, sub...)
	}
	return out, nil
}
