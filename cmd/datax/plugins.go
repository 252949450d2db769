package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"datax/plugin"
	"datax/reader"
	"datax/writer"
)

func newPluginsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "plugins",
		Short: "List the reader and writer plugins",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "READERS\t")
			listPlugins(w, reader.Default)
			fmt.Fprintln(w, "\t\nWRITERS\t")
			listPlugins(w, writer.Default)
			fmt.Fprintln(w, "\t\nUse \"datax plugins describe NAME\" for a plugin's parameters and an example job.\t")
			return w.Flush()
		},
	}
	describe := &cobra.Command{
		Use:   "describe NAME",
		Short: "Print a plugin's parameters and an example job",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			if e, err := reader.Default.Lookup(args[0]); err == nil {
				return describePlugin(out, e.Name, "reader", e.Doc, e)
			}
			e, err := writer.Default.Lookup(args[0])
			if err != nil {
				// Suggest from both lists.
				_, rerr := reader.Default.Lookup(args[0])
				return &exitError{exitInvalid, fmt.Errorf("%v\n%v", rerr, err)}
			}
			return describePlugin(out, e.Name, "writer", e.Doc, e)
		},
	}
	cmd.AddCommand(describe)
	return cmd
}

type describable interface {
	*plugin.Entry[reader.Reader] | *plugin.Entry[writer.Writer]
}

func listPlugins[T any](w io.Writer, r *plugin.Registry[T]) {
	for _, name := range r.Names() {
		e, _ := r.Lookup(name)
		fmt.Fprintf(w, "  %s\t%s\n", name, e.Doc)
	}
}

func describePlugin[E describable](out io.Writer, name, kind, doc string, e E) error {
	var example []byte
	var ref func(io.Writer) error
	switch x := any(e).(type) {
	case *plugin.Entry[reader.Reader]:
		example, ref = x.Example, x.Spec.WriteReference
	case *plugin.Entry[writer.Writer]:
		example, ref = x.Example, x.Spec.WriteReference
	}
	fmt.Fprintf(out, "# %s (%s)\n\n%s.\n\n## Parameters\n\n", name, kind, doc)
	if err := ref(out); err != nil {
		return err
	}
	fmt.Fprintf(out, "\n## Example job\n\n```json\n%s```\n", example)
	return nil
}
