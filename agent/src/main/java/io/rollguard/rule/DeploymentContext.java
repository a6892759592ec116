package io.rollguard.rule;

import static java.util.Objects.requireNonNull;

/**
 * What the responder needs to know of deployments: which one its actions act under, and whom to tell that a rollback
 * started. Called under the responder's lock: an implementation must not call back into the responder from its own
 * lock, or the two could deadlock.
 */
public interface DeploymentContext {
    /** No deployment tracking: actions see empty deployment variables. */
    DeploymentContext NONE = new DeploymentContext() {
        @Override
        public DeployedVersion current() {
            return DeployedVersion.NONE;
        }

        @Override
        public void rollbackStarted(String rule, String action) {}
    };

    /** The deployment actions run under; {@link DeployedVersion#NONE} when there is none. */
    DeployedVersion current();

    /** A real (not dry-run) rollback action has just started for {@code rule}. */
    void rollbackStarted(String rule, String action);

    /** The current deployment as the API shows it (id, version, state, baselines, ...); null when there is none. */
    default java.util.Map<String, Object> details() {
        return null;
    }

    /** A deployment as actions see it: empty strings when there is none. */
    record DeployedVersion(String id, String version) {
        public static final DeployedVersion NONE = new DeployedVersion("", "");

        public DeployedVersion {
            requireNonNull(id, "id");
            requireNonNull(version, "version");
        }

        public boolean exists() {
            return !id.isEmpty();
        }
    }
}
