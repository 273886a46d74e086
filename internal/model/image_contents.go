package model

import "strings"

// ImageContents is one platform's image read from an image file (a docker save archive or an OCI layout): its
// config and the facts about its layers and final filesystem that the image-contents rules judge. It never holds a
// file's content or a secret's value: credential files are known by layer, path and kind only.
type ImageContents struct {
	Ref
	// Digest is the manifest digest, the image's identity ("sha256:...").
	Digest string `json:"digest"`
	// Tags are the repository tags the archive records for the image ("registry/repo:tag"), if any.
	Tags []string `json:"tags,omitempty"`
	// Platform is os/architecture[/variant] from the index or the config ("linux/amd64").
	Platform string `json:"platform,omitempty"`
	// Config is what the image config says the container runs with.
	Config ImageConfig `json:"config"`
	// Annotations are the manifest's and its index descriptor's annotations (the base image annotations among them).
	Annotations map[string]string `json:"annotations,omitempty"`
	// Layers is the number of layers the manifest lists; LayersRead how many were read to the end.
	Layers     int `json:"layers"`
	LayersRead int `json:"layersRead"`
	// BytesRead counts the uncompressed layer bytes read.
	BytesRead int64 `json:"bytesRead"`
	// Incomplete says why the layers were not all read (the byte budget, a layer that could not be read); empty
	// when they were. The filesystem facts below then cover only what was read.
	Incomplete string `json:"incomplete,omitempty"`
	// Unread says why nothing of the image could be read (the registry refused the credentials, no image for the
	// task's platform); every rule is then NOT_AVAILABLE with that reason. Empty when the image was read.
	Unread string `json:"unread,omitempty"`
	// SetuidFiles are the regular files of the final filesystem with the setuid or setgid bit, in path order.
	SetuidFiles []FileMode `json:"setuidFiles,omitempty"`
	// Shells are the shells and network tools the final filesystem has in a standard path, in path order.
	Shells []string `json:"shells,omitempty"`
	// CredentialFiles are the files of any layer that hold a credential, deleted later or not.
	CredentialFiles []CredentialFile `json:"credentialFiles,omitempty"`
}

// ImageConfig is the part of an image config (the OCI config's "config" object, or docker image inspect's
// "Config") that says how the container runs, with the history's created_by lines.
type ImageConfig struct {
	User   string            `json:"user,omitempty"`
	Env    []string          `json:"env,omitempty"`
	Labels map[string]string `json:"labels,omitempty"`
	// History holds the created_by line of each history entry, in order.
	History []string `json:"history,omitempty"`
}

// FileMode is a path and its permission bits as the layer's tar header gave them.
type FileMode struct {
	Path string `json:"path"`
	Mode int64  `json:"mode"`
}

// CredentialFile is a credential found in a layer: where, and what kind, never the content.
type CredentialFile struct {
	// Layer is the index of the layer in the manifest, from 0.
	Layer int    `json:"layer"`
	Path  string `json:"path"`
	// What names the kind of credential ("a private key", "an npm token").
	What string `json:"what"`
	// Deleted says a later layer removed the file (it is still in the image's layers).
	Deleted bool `json:"deleted,omitempty"`
}

// Ident implements Resource.
func (i *ImageContents) Ident() *Ref { return &i.Ref }

// Kind implements Resource.
func (i *ImageContents) Kind() *Kind { return KindImageContents }

// ID implements Resource: ContentsID of the ARN when known (contents read from ECR), otherwise the repository of the
// first tag and the manifest digest (repo@sha256:...), or the digest alone for an image without tags.
func (i *ImageContents) ID() string {
	if i.ARN != "" {
		return ContentsID(i.ARN, i.Digest)
	}
	if repo := i.Repository(); repo != "" {
		return repo + "@" + i.Digest
	}
	return i.Digest
}

// Repository returns the repository of the image's first tag, registry included, or "".
func (i *ImageContents) Repository() string {
	if len(i.Tags) == 0 {
		return ""
	}
	t := i.Tags[0]
	if at := strings.Index(t, "@"); at >= 0 {
		t = t[:at]
	}
	if c := strings.LastIndex(t, ":"); c > strings.LastIndex(t, "/") {
		t = t[:c]
	}
	return t
}

// PlatformName implements the optional platform of a resource that findings name.
func (i *ImageContents) PlatformName() string { return i.Platform }

// ImageUser is what an image config given beside a task definition says of the user, for a container that sets
// none: the image's USER, and where the config came from.
type ImageUser struct {
	User string
	// Source names the image file or docker image inspect output the config came from.
	Source string
}

// ContentsID is the resource ID under which the contents findings of the ECR image imageARN are kept, apart from
// the image's scan findings (a resource's findings are decided together): imageARN#contents, or, for one platform's
// image of a multi-platform index, imageARN#contents@<that image's digest>.
func ContentsID(imageARN, digest string) string {
	if digest == "" || strings.HasSuffix(imageARN, "/"+digest) {
		return imageARN + "#contents"
	}
	return imageARN + "#contents@" + digest
}

// ContentsOf returns the image ARN a ContentsID names, and whether id is one.
func ContentsOf(id string) (string, bool) {
	base, _, ok := strings.Cut(id, "#contents")
	return base, ok
}
