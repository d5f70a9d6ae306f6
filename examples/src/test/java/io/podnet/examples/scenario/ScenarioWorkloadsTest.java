package io.podnet.examples.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deployments and StatefulSets in scenario files: a Deployment's pods are named by its ReplicaSet
 * and reached as {@code deploy/NAME}, a StatefulSet's are {@code NAME-0}, {@code NAME-1} and made
 * again when deleted, and the API server's checks on both.
 */
class ScenarioWorkloadsTest {

  private static final String HEAD =
      """
      name: workloads
      seed: 7
      cluster: {nodes: 2, cni: bridge, services: iptables}
      steps:
        - at: 0s
          apply:
            - apiVersion: apps/v1
              kind: KIND
              metadata: {name: web}
              spec:
                replicas: 2
                selector: {matchLabels: {app: web}}
                template:
                  metadata: {labels: {app: web, tier: front}}
                  spec:
                    containers: [{name: web, image: nginx, ports: [{containerPort: 8080}]}]
            - apiVersion: v1
              kind: Service
              metadata: {name: web}
              spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
            - {apiVersion: v1, kind: Pod, metadata: {name: client}, spec: {nodeName: node-1}}
      """;

  private static final Pattern REPLICA =
      Pattern.compile(
          "^(web-[4-9bcdf]{1,10}-[bcdfghjklmnpqrstvwxz2456789]{5}) +1/1 +Running .*? (10\\.244\\.\\d+\\.\\d+) ",
          Pattern.MULTILINE);

  @TempDir Path dir;

  private Path write(String kind, String steps) throws IOException {
    return Files.writeString(dir.resolve("s.yaml"), HEAD.replace("KIND", kind) + steps);
  }

  @Test
  void run_deployment_podsNamedByTheReplicaSetAndDeployWebIsTheOneKubectlPicks()
      throws IOException {
    Path file =
        write(
            "Deployment",
            """
              - at: 2s
                kubectl: get pods -o wide
              - at: 2s
                exec: {pod: deploy/web, command: ip addr}
              - at: 3s
                curl: {from: client, to: "web:80"}
              - at: 3s
                expect: {reachable: {from: client, to: deploy/web}}
            """);

    ScenarioRunTest.Run r = ScenarioRunTest.cli("run", file.toString());

    assertThat(r.code()).as(r.err() + r.out()).isZero();
    assertThat(r.out()).contains("deployment.apps/web created\n");
    Matcher m = REPLICA.matcher(r.out());
    List<String[]> pods = m.results().map(x -> new String[] {x.group(1), x.group(2)}).toList();
    assertThat(pods).hasSize(2);
    assertThat(pods.get(0)[0].substring(0, pods.get(0)[0].lastIndexOf('-')))
        .as("one ReplicaSet")
        .isEqualTo(pods.get(1)[0].substring(0, pods.get(1)[0].lastIndexOf('-')));
    assertThat(r.out())
        .as("both Ready in the same second: kubectl exec takes the first by name")
        .contains("$ kubectl exec deploy/web -- ip addr\n")
        .contains("inet " + pods.get(0)[1] + "/24")
        .doesNotContain("inet " + pods.get(1)[1] + "/24")
        .contains("port [tcp/http] succeeded!")
        .contains("expect reachable client -> deploy/web ... OK");
  }

  @Test
  void run_statefulSetPodDeleted_madeAgainUnderItsNameListeningAgain() throws IOException {
    Path file =
        write(
            "StatefulSet",
            """
              - at: 2s
                delete: {pod: web-1}
              - at: 8s
                kubectl: get pods
              - at: 8s
                curl: {from: client, to: "web-1:8080"}
              - at: 8s
                expect: {podPhase: {pod: web-1, is: Running}, reachable: {from: web-0, to: web-1}}
            """);

    ScenarioRunTest.Run r = ScenarioRunTest.cli("run", file.toString());

    assertThat(r.code()).as(r.err() + r.out()).isZero();
    assertThat(r.out())
        .contains("statefulset.apps/web created\n")
        .containsPattern("\nweb-0 +1/1 +Running +0 +8s\n")
        .containsPattern("\nweb-1 +1/1 +Running +0 +[1-6]s\n")
        .contains("8080 port [tcp/http-alt] succeeded!")
        .contains("expect podPhase web-1 is Running ... OK");
  }

  @Test
  void validate_deploymentPodByOrdinal_saysHowToNameIt() throws IOException {
    Path file = write("Deployment", "  - at: 1s\n    exec: {pod: web-0, command: ip addr}\n");

    assertThat(ScenarioRunTest.invalid(file))
        .isEqualTo(
            "podnet: "
                + file
                + ":23:17: steps[1].exec.pod: no pod \"web-0\" at this step (Deployment web names"
                + " its pods web-<hash>-<5 characters>: expected deploy/web for the pod kubectl exec"
                + " picks, or a StatefulSet for pods named web-0, web-1, ...)\n");
  }

  @Test
  void validate_workloadReferences_unknownOneSuggestedAndDeletingOneRefused() throws IOException {
    Path file =
        write(
            "Deployment",
            """
              - at: 1s
                exec: {pod: deploy/wbe, command: ip addr}
              - at: 1s
                ping: {from: sts/web, to: client}
              - at: 1s
                delete: {pod: deploy/web}
            """);

    assertThat(ScenarioRunTest.invalid(file).lines())
        .containsExactly(
            "podnet: "
                + file
                + ":23:17: steps[1].exec.pod: no Deployment \"wbe\" at this step (did you mean"
                + " \"web\"?)",
            "podnet: "
                + file
                + ":25:18: steps[2].ping.from: no StatefulSet \"web\" at this step (no StatefulSet"
                + " has been applied yet)",
            "podnet: "
                + file
                + ":27:19: steps[3].delete.pod: \"deploy/web\" names a workload (expected a pod;"
                + " kubectl delete deploy/web would delete the workload)");
  }

  @Test
  void validate_badWorkloads_oneLineEachAtTheField() throws IOException {
    String sts = HEAD.replace("KIND", "StatefulSet");
    List<String[]> cases =
        List.of(
            new String[] {
              "replicas: 2\n",
              "replicas: 2\n          podManagementPolicy: Sometimes\n",
              "12:32: steps[0].apply[0] (StatefulSet web): spec.podManagementPolicy: \"Sometimes\""
                  + " is not supported (expected OrderedReady or Parallel)"
            },
            new String[] {
              "selector: {matchLabels: {app: web}}",
              "selector: {matchLabels: {app: api}}",
              "14:32: steps[0].apply[0] (StatefulSet web): spec.template.metadata.labels:"
                  + " `selector` does not match template `labels` (expected app: api among them, as"
                  + " spec.selector.matchLabels has)"
            },
            new String[] {
              "          selector: {matchLabels: {app: web}}\n",
              "",
              "11:11: steps[0].apply[0] (StatefulSet web): spec.selector: Required value (expected"
                  + " matchLabels that spec.template.metadata.labels carry)"
            },
            new String[] {
              "metadata: {name: web}",
              "metadata: {name: " + "w".repeat(53) + "}",
              "9:26: steps[0].apply[0] (StatefulSet "
                  + "w".repeat(53)
                  + "): metadata.name: \""
                  + "w".repeat(53)
                  + "\" is not a lowercase RFC 1123 subdomain (expected at most 52 lower case"
                  + " letters, digits, '-' or '.', starting and ending with a letter or digit,"
                  + " leaving room for '-' and the 10-character hash of its pods'"
                  + " controller-revision-hash label)"
            },
            new String[] {
              "replicas: 2\n",
              "replicas: 2\n          serviceName: Web_Headless\n",
              "12:24: steps[0].apply[0] (StatefulSet web): spec.serviceName: \"Web_Headless\" is"
                  + " not a lowercase RFC 1123 label (expected at most 63 lower case letters, digits"
                  + " or '-', starting and ending with a letter or digit)"
            });
    for (String[] c : cases) {
      assertThat(sts).contains(c[0]);
      Path file = Files.writeString(dir.resolve("s.yaml"), sts.replace(c[0], c[1]));
      assertThat(ScenarioRunTest.invalid(file))
          .as(c[1])
          .isEqualTo("podnet: " + file + ":" + c[2] + "\n");
    }
  }

  @Test
  void run_sameStatefulSetNameInTwoNamespaces_eachPodListensOnItsOwnPorts() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("s.yaml"),
            """
            name: namespaces
            seed: 7
            cluster: {nodes: 2, cni: bridge}
            steps:
              - at: 0s
                apply:
                  - {apiVersion: v1, kind: Namespace, metadata: {name: a}}
                  - {apiVersion: v1, kind: Namespace, metadata: {name: b}}
                  - apiVersion: apps/v1
                    kind: StatefulSet
                    metadata: {name: db, namespace: a}
                    spec:
                      selector: {matchLabels: {app: db}}
                      template:
                        metadata: {labels: {app: db}}
                        spec: {containers: [{name: db, image: db, ports: [{containerPort: 8080}]}]}
                  - apiVersion: apps/v1
                    kind: StatefulSet
                    metadata: {name: db, namespace: b}
                    spec:
                      selector: {matchLabels: {app: db}}
                      template:
                        metadata: {labels: {app: db}}
                        spec: {containers: [{name: db, image: db, ports: [{containerPort: 9090}]}]}
                  - {apiVersion: v1, kind: Pod, metadata: {name: client}, spec: {nodeName: node-1}}
              - at: 2s
                curl: {from: client, to: "a/db-0:8080"}
              - at: 2s
                curl: {from: client, to: "b/db-0:9090"}
              - at: 2s
                curl: {from: client, to: "b/sts/db:8080"}
              - at: 3s
                delete: {namespace: a}
              - at: 8s
                kubectl: get pods -A
            """);

    ScenarioRunTest.Run r = ScenarioRunTest.cli("run", file.toString());

    assertThat(r.code()).as(r.err() + r.out()).isZero();
    assertThat(r.out().split("succeeded!", -1)).as(r.out()).hasSize(3);
    assertThat(r.out())
        .contains(" 8080 (tcp) failed: Connection refused")
        .doesNotContain("\na  ")
        .containsPattern("\nb +db-0 +1/1 +Running ");
  }

  @Test
  void run_deploymentWithALongName_podNamesCutAt58AndDeletableByName() throws IOException {
    String name = "w".repeat(60);
    String pod = "w".repeat(58) + "[bcdfghjklmnpqrstvwxz2456789]{5}";
    Path first = write("Deployment", "  - at: 2s\n    kubectl: get pods\n").toAbsolutePath();
    Files.writeString(
        first, Files.readString(first).replace("{name: web}", "{name: " + name + "}"));

    ScenarioRunTest.Run r = ScenarioRunTest.cli("run", first.toString());

    assertThat(r.code()).as(r.err() + r.out()).isZero();
    Matcher m = Pattern.compile("^(" + pod + ") ", Pattern.MULTILINE).matcher(r.out());
    assertThat(m.find()).as(r.out()).isTrue();
    Files.writeString(
        first, Files.readString(first) + "  - at: 3s\n    delete: {pod: " + m.group(1) + "}\n");
    assertThat(ScenarioRunTest.cli("run", first.toString()).out())
        .contains("pod \"" + m.group(1) + "\" deleted\n");
  }

  @Test
  void isReplicaName_namesAReplicaSetCanGive_onlyThose() {
    assertThat(PodRef.isReplicaName("web-d9c9cfb46-bjzs6", "web")).isTrue();
    assertThat(PodRef.isReplicaName("web-d9c9cfb46-bjzs", "web")).isFalse();
    assertThat(PodRef.isReplicaName("web-d9c9cfa46-bjzs6", "web")).isFalse();
    assertThat(PodRef.isReplicaName("api-d9c9cfb46-bjzs6", "web")).isFalse();
    assertThat(PodRef.isReplicaName("web-0", "web")).isFalse();
    String longName = "w".repeat(60);
    assertThat(PodRef.isReplicaName("w".repeat(58) + "bjzs6", longName)).isTrue();
    assertThat(PodRef.isReplicaName("w".repeat(57) + "bjzs6", longName)).isFalse();
    String fits = "w".repeat(50);
    assertThat(PodRef.isReplicaName(fits + "-d9c9cf-bjzs6", fits)).isTrue();
    assertThat(PodRef.isReplicaName(fits + "-d9c9cfb4bjzs6", fits)).isFalse();
  }

  @Test
  void run_namespaceNamedLikeAWorkloadType_aPodThereStillWins() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("s.yaml"),
            """
            name: deploy-namespace
            seed: 7
            cluster: {nodes: 1, cni: bridge}
            steps:
              - at: 0s
                apply:
                  - {apiVersion: v1, kind: Namespace, metadata: {name: deploy}}
                  - {apiVersion: v1, kind: Pod, metadata: {name: web, namespace: deploy}}
              - at: 1s
                exec: {pod: deploy/web, command: ip addr}
            """);

    ScenarioRunTest.Run r = ScenarioRunTest.cli("run", file.toString());

    assertThat(r.code()).as(r.err() + r.out()).isZero();
    assertThat(r.out()).contains("inet 10.244.1.2/24");
  }

  @Test
  void parse_kubectlNamesAndNamespaces_readAsWorkloadOrPod() {
    assertThat(PodRef.parse("deploy/web")).isEqualTo(new PodRef("default", "Deployment", "web"));
    assertThat(PodRef.parse("prod/sts/db")).isEqualTo(new PodRef("prod", "StatefulSet", "db"));
    assertThat(PodRef.parse("prod/web-0")).isEqualTo(new PodRef("prod", null, "web-0"));
    assertThat(PodRef.parse("web-0").key()).isEqualTo("web-0");
    assertThat(PodRef.parse("prod/deployments.apps/web").key()).isEqualTo("prod/web");
  }

  @Test
  void run_deleteNamespaceNamedLikeAType_itsStatefulSetGoesAndTheFilterRulesAreCounted()
      throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("s.yaml"),
            """
            name: sts-namespace
            seed: 7
            cluster: {nodes: 1, cni: bridge}
            steps:
              - at: 0s
                apply:
                  - {apiVersion: v1, kind: Namespace, metadata: {name: sts}}
                  - apiVersion: apps/v1
                    kind: StatefulSet
                    metadata: {name: db, namespace: sts}
                    spec:
                      selector: {matchLabels: {app: db}}
                      template: {metadata: {labels: {app: db}}}
              - at: 1s
                expect: {ruleCount: {node: node-1, table: filter, is: 15}}
              - at: 2s
                delete: {namespace: sts}
              - at: 8s
                kubectl: get pods -A
            """);

    ScenarioRunTest.Run r = ScenarioRunTest.cli("run", file.toString());

    assertThat(r.code()).as(r.err() + r.out()).isZero();
    assertThat(r.out())
        .as("the kubelet's 3 filter rules and kube-proxy's 12, there from its first sync")
        .contains("expect ruleCount node-1 filter is 15 ... OK")
        .contains("namespace \"sts\" deleted")
        .doesNotContainPattern("\nsts +db-0 ");
  }
}
