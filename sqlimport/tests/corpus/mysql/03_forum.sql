-- A discussion forum, as a mysqldump would write it: version-gated session settings (only
-- those that need no restoring, so the statements can be shuffled),
-- backquoted names, a self-referencing reply tree, a view built on a view, an event and
-- a procedure using the mysql client DELIMITER command.

/*!40101 SET NAMES utf8mb4 */;
/*!40103 SET TIME_ZONE='+00:00' */;

CREATE TABLE `forum_users` (
  `id` int(10) unsigned NOT NULL AUTO_INCREMENT,
  `handle` varchar(40) NOT NULL,
  `joined_at` datetime NOT NULL DEFAULT current_timestamp(),
  `karma` int(11) NOT NULL DEFAULT 0,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_handle` (`handle`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `boards` (
  `id` smallint(5) unsigned NOT NULL AUTO_INCREMENT,
  `slug` varchar(40) NOT NULL,
  `title` varchar(200) NOT NULL,
  `moderator_id` int(10) unsigned DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_slug` (`slug`),
  KEY `fk_boards_moderator` (`moderator_id`),
  CONSTRAINT `fk_boards_moderator` FOREIGN KEY (`moderator_id`) REFERENCES `forum_users` (`id`) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `threads` (
  `id` int(10) unsigned NOT NULL AUTO_INCREMENT,
  `board_id` smallint(5) unsigned NOT NULL,
  `author_id` int(10) unsigned NOT NULL,
  `subject` varchar(300) NOT NULL,
  `pinned` tinyint(1) NOT NULL DEFAULT 0,
  `created_at` datetime NOT NULL DEFAULT current_timestamp(),
  PRIMARY KEY (`id`),
  KEY `idx_threads_board` (`board_id`,`pinned`,`created_at`),
  CONSTRAINT `fk_threads_board` FOREIGN KEY (`board_id`) REFERENCES `boards` (`id`) ON DELETE CASCADE,
  CONSTRAINT `fk_threads_author` FOREIGN KEY (`author_id`) REFERENCES `forum_users` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `posts` (
  `id` int(10) unsigned NOT NULL AUTO_INCREMENT,
  `thread_id` int(10) unsigned NOT NULL,
  `reply_to` int(10) unsigned DEFAULT NULL,
  `author_id` int(10) unsigned NOT NULL,
  `body` mediumtext NOT NULL,
  `created_at` datetime NOT NULL DEFAULT current_timestamp(),
  `edited_at` datetime DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `idx_posts_thread` (`thread_id`,`created_at`),
  FULLTEXT KEY `ft_posts_body` (`body`),
  CONSTRAINT `fk_posts_thread` FOREIGN KEY (`thread_id`) REFERENCES `threads` (`id`) ON DELETE CASCADE,
  CONSTRAINT `fk_posts_reply` FOREIGN KEY (`reply_to`) REFERENCES `posts` (`id`) ON DELETE SET NULL,
  CONSTRAINT `fk_posts_author` FOREIGN KEY (`author_id`) REFERENCES `forum_users` (`id`),
  CONSTRAINT `chk_posts_edit` CHECK (`edited_at` IS NULL OR `edited_at` >= `created_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE `votes` (
  `post_id` int(10) unsigned NOT NULL,
  `user_id` int(10) unsigned NOT NULL,
  `value` tinyint(4) NOT NULL,
  PRIMARY KEY (`post_id`,`user_id`),
  CONSTRAINT `fk_votes_post` FOREIGN KEY (`post_id`) REFERENCES `posts` (`id`) ON DELETE CASCADE,
  CONSTRAINT `fk_votes_user` FOREIGN KEY (`user_id`) REFERENCES `forum_users` (`id`) ON DELETE CASCADE,
  CONSTRAINT `chk_votes_value` CHECK (`value` in (-1,1))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE ALGORITHM=UNDEFINED SQL SECURITY INVOKER VIEW `thread_stats` AS
  select `t`.`id` AS `thread_id`, `t`.`board_id` AS `board_id`, count(`p`.`id`) AS `replies`,
         max(`p`.`created_at`) AS `last_post_at`
  from (`threads` `t` left join `posts` `p` on(`p`.`thread_id` = `t`.`id`))
  group by `t`.`id`, `t`.`board_id`;

CREATE ALGORITHM=UNDEFINED SQL SECURITY INVOKER VIEW `board_activity` AS
  select `b`.`slug` AS `slug`, sum(`s`.`replies`) AS `posts`, max(`s`.`last_post_at`) AS `last_post_at`
  from (`boards` `b` join `thread_stats` `s` on(`s`.`board_id` = `b`.`id`))
  group by `b`.`slug`;

DELIMITER ;;
CREATE DEFINER=CURRENT_USER PROCEDURE `recompute_karma`()
    MODIFIES SQL DATA
BEGIN
  UPDATE `forum_users` u
     SET u.karma = (SELECT COALESCE(SUM(v.value), 0)
                      FROM `votes` v JOIN `posts` p ON p.id = v.post_id
                     WHERE p.author_id = u.id);
END ;;
DELIMITER ;

CREATE EVENT IF NOT EXISTS `nightly_karma`
  ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 03:00:00'
  DISABLE
  DO CALL `recompute_karma`();
